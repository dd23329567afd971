/** The workflows this worker runs. */
export { onboarding } from './onboarding';
export { groupMembership } from './group-membership';
export { itglueSweep } from './itglue-sweep';
