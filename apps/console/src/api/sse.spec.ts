import { parseSse } from './sse';

describe('reading server-sent events', () => {
  it('given the API’s stream in chunks, then whole messages come out with id, event and data, comments skipped, the rest kept', () => {
    const first = parseSse(
      ': sanksi event stream\n\nid: 7\nevent: WarningIssued\ndata: {"position":7}\n\nid: 8\nev',
    );
    expect(first.messages).toEqual([{ id: '7', event: 'WarningIssued', data: '{"position":7}' }]);
    expect(first.rest).toBe('id: 8\nev');
    const second = parseSse(`${first.rest}ent: AccessBlocked\ndata: {"position":8}\n\n: keep-alive\n\n`);
    expect(second).toEqual({
      messages: [{ id: '8', event: 'AccessBlocked', data: '{"position":8}' }],
      rest: '',
    });
  });

  it('given CRLF line ends, multi-line data and a message without an event name, then they are read as the standard says', () => {
    expect(parseSse('data: a\r\ndata: b\r\n\r\n').messages).toEqual([
      { id: null, event: 'message', data: 'a\nb' },
    ]);
  });
});
