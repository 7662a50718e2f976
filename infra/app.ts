import { App, Tags } from 'aws-cdk-lib';
import { UpdateCloudStack } from './stack';

/**
 * CDK entry point (`cdk.json` runs it with tsx). The stack is environment-agnostic:
 * account and region come from the deploying credentials, so `cdk synth` works
 * offline; `cdk deploy` needs `--parameters PlatformApplicationArn=...`.
 * Production serves packages under its own domain:
 * `-c packagesDomainName=<host> -c packagesCertificateArn=<ACM ARN in us-east-1>` (both or neither).
 */
const app = new App();

const domainName: unknown = app.node.tryGetContext('packagesDomainName');
const certificateArn: unknown = app.node.tryGetContext('packagesCertificateArn');
if (Boolean(domainName) !== Boolean(certificateArn)) {
  throw new Error('Give both packagesDomainName and packagesCertificateArn (or neither)');
}

const stack = new UpdateCloudStack(app, 'MophasUpdateCloud', {
  description: 'mOphas Update Cloud: update coordination backend (API, feed, codes, push, packages)',
  packagesDomain: domainName && certificateArn ? { domainName: String(domainName), certificateArn: String(certificateArn) } : undefined,
});
Tags.of(stack).add('project', 'mophas-update-cloud');

app.synth();
