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
