module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'messaging',
  rootDir: __dirname,
  globalSetup: '<rootDir>/jest.global-setup.js',
};
