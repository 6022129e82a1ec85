import { isServedOrigin, refusalText, slackOrigin } from '../../../../adapters/slack/workspace-gate';

const served = (allowed: string[], body: unknown) => isServedOrigin(new Set(allowed), slackOrigin(body));

describe('which Slack requests are served', () => {
  it('reads the workspace, the organization and the person’s own workspace from every kind of body', () => {
    expect(slackOrigin({ command: '/aws-access', team_id: 'T1', enterprise_id: 'E1' })).toEqual({
      teams: ['T1'],
      enterprises: ['E1'],
      userTeams: [],
    });
    expect(
      slackOrigin({
        type: 'view_submission',
        team: { id: 'T1', enterprise_id: 'E1' },
        enterprise: { id: 'E1' },
        user: { id: 'U1', team_id: 'T2' },
        view: { team_id: 'T1' },
      }),
    ).toEqual({ teams: ['T1'], enterprises: ['E1'], userTeams: ['T2'] });
    expect(slackOrigin({ type: 'event_callback', team_id: 'T1', event: { user_team: 'T3' } })).toEqual({
      teams: ['T1'],
      enterprises: [],
      userTeams: ['T3'],
    });
  });

  it('serves a listed workspace, and refuses an unlisted one or a body that names none', () => {
    expect(served(['T1'], { team_id: 'T1' })).toBe(true);
    expect(served(['T1'], { team_id: 'T2' })).toBe(false);
    expect(served(['T1'], {})).toBe(false);
    expect(served([], { team_id: 'T1' })).toBe(false);
  });

  it('serves any workspace of a listed Enterprise Grid organization, only when every organization named is listed', () => {
    expect(served(['E1'], { team_id: 'T9', enterprise_id: 'E1' })).toBe(true);
    expect(served(['E1'], { team: { id: 'T9', enterprise_id: 'E1' } })).toBe(true);
    expect(served(['E1'], { team_id: 'T9', enterprise_id: 'E2' })).toBe(false);
    expect(served(['E1'], { team_id: 'T9', enterprise_id: 'E1', enterprise: { id: 'E2' } })).toBe(false);
    expect(served(['E1'], { enterprise_id: 'E1' })).toBe(true);
  });

  it('refuses a person whose own workspace is neither listed nor the request’s (a Slack Connect guest)', () => {
    expect(served(['T1'], { team: { id: 'T1' }, user: { team_id: 'T1' } })).toBe(true);
    expect(served(['T1'], { team: { id: 'T1' }, user: { team_id: 'T2' } })).toBe(false);
    expect(served(['E1'], { team: { id: 'T1' }, enterprise: { id: 'E1' }, user: { team_id: 'T2' } })).toBe(false);
    expect(served(['T1', 'T2'], { team: { id: 'T1' }, user: { team_id: 'T2' } })).toBe(true);
  });

  it('tells the person which workspace was refused, showing only well-formed ids', () => {
    expect(refusalText({ teams: ['T1X'], enterprises: [], userTeams: [] })).toBe(
      'keyless does not serve your Slack workspace (T1X): it grants AWS access only to the workspaces its administrators listed. Nothing was done.',
    );
    expect(refusalText({ teams: ['<!channel>'], enterprises: [], userTeams: [] })).not.toContain('<');
  });
});
