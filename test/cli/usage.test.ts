import { expect } from 'chai';
import { runAdmin } from './admin-cli.js';

describe('npm run admin without a command', function () {
  this.timeout(60_000);

  it('prints the usage to stderr and exits 2, so a script that forgot the command fails', async () => {
    const run = await runAdmin([], {}, { viaNpm: true });
    expect(run.code, run.stderr).to.equal(2);
    expect(run.stdout).to.equal('');
    expect(run.stderr).to.match(/^gatehouse admin: no command given\n\nusage: npm run admin -- <command>/);
    expect(run.stderr).to.include('create-superuser --email EMAIL');
  });

  it('prints the usage to stdout and exits 0 when asked for it', async () => {
    for (const args of [['help'], ['--help'], ['-h']]) {
      const run = await runAdmin(args, {});
      expect(run.code, `${args}: ${run.stderr}`).to.equal(0);
      expect(run.stderr).to.equal('');
      expect(run.stdout).to.match(/^usage: npm run admin -- <command>/);
    }
  });
});
