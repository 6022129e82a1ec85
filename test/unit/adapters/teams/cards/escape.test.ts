import { escapeCardText } from '../../../../../adapters/teams/cards/escape';

describe('escaping user text for Adaptive Card markdown', () => {
  test('a markdown link cannot be smuggled into a card', () => {
    expect(escapeCardText('see [the runbook](https://evil.example/x)')).toBe(
      'see \\[the runbook\\](https://evil.example/x)',
    );
  });

  test('bold and italic markers are shown as typed', () => {
    expect(escapeCardText('**urgent** my_var _now_')).toBe('\\*\\*urgent\\*\\* my\\_var \\_now\\_');
  });

  test('control and bidi-override characters are dropped', () => {
    expect(escapeCardText('ok\u0000\u0007 \u202Edesrever\u202C done')).toBe('ok desrever done');
  });

  test('line breaks become spaces unless the text is multiline', () => {
    expect(escapeCardText('one\r\ntwo\nthree')).toBe('one two three');
    expect(escapeCardText('one\n- two', { multiline: true })).toBe('one\n\\- two');
  });

  test('a line that would start a list stays plain text', () => {
    expect(escapeCardText('- item')).toBe('\\- item');
    expect(escapeCardText('1. first')).toBe('1\\. first');
  });

  test('long text is cut with an ellipsis and empty text is empty', () => {
    expect(escapeCardText('a'.repeat(20), { maxLength: 10 })).toBe(`${'a'.repeat(9)}…`);
    expect(escapeCardText(undefined)).toBe('');
  });

  test('a backslash cannot undo the escaping', () => {
    expect(escapeCardText('\\[x](y)')).toBe('\\\\\\[x\\](y)');
  });
});
