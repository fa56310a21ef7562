// orval's fetch client for Gatehouse, with orval's defaults but for where to find the server.
// CommonJS: orval 7 loads an ESM config without its default export.
module.exports = {
  gatehouse: {
    input: { target: process.env.GATEHOUSE_DOCUMENT ?? 'http://127.0.0.1:8001/openapi.yaml' },
    output: {
      target: 'orval/gatehouse.ts',
      client: 'fetch',
      // The served document names the server (PUBLIC_URL); GATEHOUSE_URL overrides it.
      baseUrl: process.env.GATEHOUSE_URL ?? { getBaseUrlFromSpecification: true },
    },
  },
};
