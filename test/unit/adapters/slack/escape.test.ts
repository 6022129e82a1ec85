import { escapeText, mention, plainText, ticketLink } from '../../../../adapters/slack/escape';

describe('escapeText', () => {
  it('turns &, < and > into entities so that nothing becomes a mention or a link', () => {
    expect(escapeText('<!channel> <!here> <@U123> <https://evil.example|click> a & b')).toBe(
      '&lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt; &lt;https://evil.example|click&gt; a &amp; b',
    );
  });

  it('escapes an ampersand before the others, so entities are not double-decoded', () => {
    expect(escapeText('&lt;!channel&gt;')).toBe('&amp;lt;!channel&amp;gt;');
  });

  it('drops control and bidi-override characters and folds line breaks', () => {
    expect(escapeText('a\u202Eb\u0007c\nd')).toBe('abc d');
    expect(escapeText('a\nb', { multiline: true })).toBe('a\nb');
  });

  it('cuts long text with an ellipsis', () => {
    expect(escapeText('x'.repeat(600))).toHaveLength(500);
    expect(escapeText('x'.repeat(600)).endsWith('…')).toBe(true);
  });
});

describe('mention', () => {
  it('mentions a well-formed Slack user id and escapes anything else', () => {
    expect(mention('U0RITA')).toBe('<@U0RITA>');
    expect(mention('U0X> <!channel', 'Eve <!here>')).toBe('Eve &lt;!here&gt;');
  });
});

describe('ticketLink', () => {
  it('links an https ticket, percent-encoding a | that would relabel the link', () => {
    expect(ticketLink('https://jira.example/OPS-1|Totally-safe')).toBe('<https://jira.example/OPS-1%7CTotally-safe>');
    expect(ticketLink('https://jira.example/a?b=1&c=<!here>')).toBe('<https://jira.example/a?b=1&amp;c=&lt;!here&gt;>');
    expect(ticketLink('OPS-12')).toBe('OPS-12');
    expect(ticketLink('<!channel>')).toBe('&lt;!channel&gt;');
  });
});

describe('plainText', () => {
  it('bounds option text to 75 characters', () => {
    expect(plainText('a'.repeat(100))).toHaveLength(75);
  });
});
