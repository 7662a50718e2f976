import { App, Tags } from 'aws-cdk-lib';
import { UpdateCloudStack } from './stack';

/**
 * CDK entry point (`cdk.json` runs it with tsx). The stack is environment-agnostic:
 * account and region come from the deploying credentials, so `cdk synth` works
 * offline; `cdk deploy` needs `--parameters PlatformApplicationArn=...`.
 */
const app = new App();

const stack = new UpdateCloudStack(app, 'MophasUpdateCloud', {
  description: 'mOphas Update Cloud: update coordination backend (API, feed, codes, push, packages)',
});
Tags.of(stack).add('project', 'mophas-update-cloud');

app.synth();
