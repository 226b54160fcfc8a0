export { didYouMean, didYouMeanSuffix } from './did-you-mean.js';
export { canonicalJson, contentHash } from './content-hash.js';
