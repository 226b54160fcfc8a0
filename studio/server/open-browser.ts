import open from 'open';

/** Opens the URL in the person's browser; a machine without one (a server, CI) just keeps the printed link. */
export async function openInBrowser(url: string): Promise<boolean> {
  try {
    const child = await open(url, { wait: false });
    child.on('error', () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}
