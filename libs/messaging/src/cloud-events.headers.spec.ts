import { buildCloudEventHeaders, parseCloudEventHeaders } from './cloud-events.headers';

describe('CloudEvents binary-mode headers', () => {
  it('given all attributes, when built, then every attribute is a ce_ header and the content type is plain', () => {
    const headers = buildCloudEventHeaders({
      id: 'e-1',
      source: '/sanksi/pse-cases',
      type: 'sanksi.pse-case.WarningIssued',
      subject: 'PSE-1',
      time: '2022-07-20T10:00:00+07:00',
      dataContentType: 'application/json',
      dataSchema: 'https://sanksi.dev/schemas/events/v1/WarningIssued.json',
      extensions: { partitionkey: 'PSE-1' },
    });

    expect(headers).toEqual({
      ce_specversion: '1.0',
      ce_id: 'e-1',
      ce_source: '/sanksi/pse-cases',
      ce_type: 'sanksi.pse-case.WarningIssued',
      ce_subject: 'PSE-1',
      ce_time: '2022-07-20T10:00:00+07:00',
      ce_dataschema: 'https://sanksi.dev/schemas/events/v1/WarningIssued.json',
      'content-type': 'application/json',
      ce_partitionkey: 'PSE-1',
    });
  });

  it('given only the required attributes, when built, then no optional header is present', () => {
    const headers = buildCloudEventHeaders({ id: 'e-2', source: '/s', type: 't' });

    expect(Object.keys(headers).sort()).toEqual(['ce_id', 'ce_source', 'ce_specversion', 'ce_type']);
  });

  it.each(['Upper', 'with_underscore', 'id', 'averyveryverylongextensionname'])(
    'given the extension name %s, when built, then it is refused',
    (name) => {
      expect(() =>
        buildCloudEventHeaders({ id: 'e', source: '/s', type: 't', extensions: { [name]: 'x' } }),
      ).toThrow(TypeError);
    },
  );

  it('given headers as a consumer receives them (buffers), when parsed, then the attributes come back', () => {
    const built = buildCloudEventHeaders({
      id: 'e-3',
      source: '/s',
      type: 't',
      subject: 'PSE-9',
      time: '2022-08-01T00:00:00Z',
      dataContentType: 'application/json',
      extensions: { traceparent: 'abc' },
    });
    const received = Object.fromEntries(Object.entries(built).map(([k, v]) => [k, Buffer.from(v)]));

    expect(parseCloudEventHeaders(received)).toEqual({
      id: 'e-3',
      source: '/s',
      type: 't',
      subject: 'PSE-9',
      time: '2022-08-01T00:00:00Z',
      dataSchema: undefined,
      dataContentType: 'application/json',
      extensions: { traceparent: 'abc' },
    });
  });

  it('given headers without ce_id, when parsed, then it is not a CloudEvent', () => {
    expect(parseCloudEventHeaders({ 'content-type': 'application/json' })).toBeUndefined();
    expect(parseCloudEventHeaders(undefined)).toBeUndefined();
  });
});
