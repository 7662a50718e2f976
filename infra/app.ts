import { App, SecretValue, Tags } from 'aws-cdk-lib';
import type { StaffSignInProps } from './constructs/staff-sign-in';
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

/**
 * Sign-in options from context (`cdk deploy -c signInDomainPrefix=…`), all
 * optional (docs/operations.md, "Sign-in for Alturas staff and agents"):
 * signInDomainPrefix, signInCallbackUrls (comma-separated), and a corporate
 * identity provider — signInIdpName with either signInSamlMetadataUrl, or
 * signInOidcIssuer + signInOidcClientId + signInOidcSecretName (a Secrets
 * Manager secret holding the client secret).
 */
function signInFromContext(): StaffSignInProps {
  const get = (key: string) => {
    const value = app.node.tryGetContext(key);
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const name = get('signInIdpName');
  const saml = get('signInSamlMetadataUrl');
  const oidcIssuer = get('signInOidcIssuer');
  if ((saml || oidcIssuer) && !name) throw new Error('signInIdpName is required with a corporate identity provider');
  const oidc = () => {
    const clientId = get('signInOidcClientId');
    const secretName = get('signInOidcSecretName');
    if (!clientId || !secretName) throw new Error('signInOidcIssuer needs signInOidcClientId and signInOidcSecretName');
    return { kind: 'oidc' as const, name: name!, issuerUrl: oidcIssuer!, clientId, clientSecret: SecretValue.secretsManager(secretName) };
  };
  return {
    domainPrefix: get('signInDomainPrefix'),
    consoleCallbackUrls: get('signInCallbackUrls')
      ?.split(',')
      .map((u) => u.trim()),
    corporateIdentityProvider: saml ? { kind: 'saml', name: name!, metadataUrl: saml } : oidcIssuer ? oidc() : undefined,
  };
}

const stack = new UpdateCloudStack(app, 'MophasUpdateCloud', {
  description: 'mOphas Update Cloud: update coordination backend (API, feed, codes, push, packages)',
  packagesDomain: domainName && certificateArn ? { domainName: String(domainName), certificateArn: String(certificateArn) } : undefined,
  signIn: signInFromContext(),
});
Tags.of(stack).add('project', 'mophas-update-cloud');

app.synth();
