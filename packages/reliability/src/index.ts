export {
  activeResources,
  type ResourceCounts,
  resourceGrowth,
  settleResources,
  WATCHED_RESOURCES,
} from './guard/resources';
export {
  currentSecretGuard,
  installSecretGuard,
  registerTestSecret,
  type SecretGuard,
  scanForSecrets,
  summarizeFindings,
} from './guard/secret-guard';
export { type SecretFinding, SecretScanner, TEST_SECRET_MARKERS, textOf } from './guard/secret-scanner';
