/** Placeholder while the domain lands. */
export const domainName = 'pse-case';
