/** The workflows this worker runs. */
export { onboarding } from './onboarding';
