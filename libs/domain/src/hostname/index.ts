export {
  Hostname,
  HOSTNAME_MAX_LENGTH,
  isStoredHostname,
  LABEL_MAX_LENGTH,
  normaliseHostname,
  type HostnameRefusal,
  type HostnameResult,
  type HostnameRule,
} from './hostname';
export {
  normaliseHostnameForMatching,
  normaliseSystemAddress,
  AppStoreId,
  PublicIpAddress,
  type AddressRefusalReason,
  type AppStore,
  type MatchingKeyResult,
  type SystemAddress,
  type SystemAddressPart,
  type UnnormalisedAddress,
} from './system-address';
