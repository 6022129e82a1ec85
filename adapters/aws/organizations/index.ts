export {
  AwsSessionCutPolicies,
  SESSION_CUT_TAG,
  SCP_TYPE,
  translateOrganizationsError,
  type SessionCutPoliciesOptions,
} from './session-cut-policies';
