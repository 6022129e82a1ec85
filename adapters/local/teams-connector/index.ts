export {
  TeamsConnector,
  executeActions,
  startTeamsConnector,
  BOT_FRAMEWORK_SCOPE,
  FILE_CONSENT_CARD,
  type BotRegistration,
  type BotAnswer,
  type TeamsConnectorOptions,
} from './server';
export {
  LOCAL_TEAMS_TENANT_ID,
  TeamsWorld,
  type ConnectorCall,
  type ConversationType,
  type Fault,
  type OneDriveFile,
  type UploadSession,
  type StoredActivity,
  type TeamsConversation,
  type TeamsMember,
  type WorldJson,
} from './world';
