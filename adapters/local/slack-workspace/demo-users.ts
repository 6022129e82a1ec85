import type { WorkspaceUser } from './workspace';

/** People of the demo organization (adapters/local/aws-emulator/demo-seed.yaml), in several time zones. */
export const DEMO_USERS: WorkspaceUser[] = [
  {
    id: 'U0RITA',
    name: 'rita',
    realName: 'Rita Requester',
    displayName: 'Rita',
    email: 'rita@example.com',
    tz: 'Europe/Paris',
  },
  {
    id: 'U0ANN',
    name: 'ann',
    realName: 'Ann Approver',
    displayName: 'Ann',
    email: 'ann@example.com',
    tz: 'America/New_York',
  },
  {
    id: 'U0BOB',
    name: 'bob',
    realName: 'Bob Approver',
    displayName: 'Bob',
    email: 'bob@example.com',
    tz: 'Europe/London',
  },
  {
    id: 'U0CARL',
    name: 'carl',
    realName: 'Carl Approver',
    displayName: 'Carl',
    email: 'carl@example.com',
    tz: 'Asia/Tokyo',
  },
  { id: 'U0SAM', name: 'sam', realName: 'Sam Security', displayName: 'Sam', email: 'sam@example.com', tz: 'UTC' },
  {
    id: 'U0OLGA',
    name: 'olga',
    realName: 'Olga Finance',
    displayName: 'Olga',
    email: 'olga@example.com',
    tz: 'Europe/Berlin',
  },
  {
    id: 'U0NOBODY',
    name: 'nobody',
    realName: 'Nobody Outsider',
    displayName: 'Nobody',
    email: 'nobody@example.com',
    tz: 'UTC',
  },
];

export const DEMO_CHANNELS = [
  { id: 'C0APPROVALS', name: 'aws-approvals' },
  { id: 'C0SECURITY', name: 'security' },
  { id: 'C0GENERAL', name: 'general' },
];
