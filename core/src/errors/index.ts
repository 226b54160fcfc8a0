export { FerryError, isFerryError, type FerryErrorOptions } from './ferry-error.js';
