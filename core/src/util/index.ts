export { didYouMean, didYouMeanSuffix } from './did-you-mean.js';
export { listIds } from './list-ids.js';
export { canonicalJson, contentHash } from './content-hash.js';
export { DEFAULT_PHONE_COUNTRY, isPhoneCountry, toE164 } from './phone.js';
