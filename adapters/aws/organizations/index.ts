export {
  AwsSessionCutPolicies,
  managementAccountOf,
  SESSION_CUT_TAG,
  SCP_TYPE,
  translateOrganizationsError,
  type SessionCutPoliciesOptions,
} from './session-cut-policies';
export {
  portalRoleCredentials,
  renderVerifyPolicy,
  s3Probe,
  verifySessionCut,
  type ProbeResult,
  type SessionCredentials,
  type VerifySessionCutDeps,
  type VerifySessionCutOptions,
} from './verify-session-cut';
