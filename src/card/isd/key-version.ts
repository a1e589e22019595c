/** Key version number of the factory key set: FF marks initial keys on GlobalPlatform cards. */
export const FACTORY_KEY_VERSION_VALUE = 0xff;
