/**
 * The people of the playground page: the same persons in the loopback Slack workspace (ids of
 * `DEMO_USERS`) and in the loopback Teams tenant (aadObjectIds below), with the emails of the AWS
 * emulator's demo organization (adapters/local/aws-emulator/demo-seed.yaml), so that keyless maps
 * each of them to the same Identity Center user whichever chat they use.
 */
export interface PlaygroundPerson {
  key: string;
  name: string;
  role: string;
  email: string;
  slackId: string;
  teamsAadObjectId: string;
  timeZone: string;
}

export const PLAYGROUND_PEOPLE: PlaygroundPerson[] = [
  {
    key: 'rita',
    name: 'Rita Requester',
    role: 'requester (engineers)',
    email: 'rita@example.com',
    slackId: 'U0RITA',
    teamsAadObjectId: 'aad-rita',
    timeZone: 'Europe/Paris',
  },
  {
    key: 'ann',
    name: 'Ann Approver',
    role: 'approver (sre-leads)',
    email: 'ann@example.com',
    slackId: 'U0ANN',
    teamsAadObjectId: 'aad-ann',
    timeZone: 'America/New_York',
  },
  {
    key: 'bob',
    name: 'Bob Approver',
    role: 'approver (sre-leads)',
    email: 'bob@example.com',
    slackId: 'U0BOB',
    teamsAadObjectId: 'aad-bob',
    timeZone: 'Europe/London',
  },
  {
    key: 'sam',
    name: 'Sam Security',
    role: 'security',
    email: 'sam@example.com',
    slackId: 'U0SAM',
    teamsAadObjectId: 'aad-sam',
    timeZone: 'UTC',
  },
];

/** The Teams team whose channels the playground policy names. */
export const PLAYGROUND_TEAM_ID = '19:team-platform@thread.tacv2';
