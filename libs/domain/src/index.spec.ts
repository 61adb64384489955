import { domainName } from './index';
describe('domain', () => {
  it('exports its name', () => {
    expect(domainName).toBe('pse-case');
  });
});
