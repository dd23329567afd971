/** The workflows this worker runs. */
export { onboarding } from './onboarding';
export { offboarding } from './offboarding';
export { accessReview } from './review';
export { groupMembership } from './group-membership';
export { groupCreation } from './group-creation';
export { authorizationRecord } from './authorization-record';
export { itglueSweep } from './itglue-sweep';
export { reviewPlanner } from './review-planner';
export { scopeWatch } from './scope-watch';
export { approvalBatch } from './approval-batch';
