export {
  startPlaygroundPage,
  type AlertLine,
  type AuditLine,
  type PlaygroundPageOptions,
  type RunningPlaygroundPage,
} from './page-server';
export { PLAYGROUND_PEOPLE, PLAYGROUND_TEAM_ID, type PlaygroundPerson } from './demo-people';
export { installKeylessInTeams, seedTeams } from './teams-seed';
