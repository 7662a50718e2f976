import { App, SecretValue, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { StaffSignIn } from '../../infra/constructs/staff-sign-in';

/* The sign-in construct's options (the stack test covers its defaults inside the whole stack). */

const synth = (props: ConstructorParameters<typeof StaffSignIn>[2]) => {
  const stack = new Stack(new App(), 'SignInTest', { env: { region: 'eu-south-1', account: '123456789012' } });
  const signIn = new StaffSignIn(stack, 'StaffSignIn', props);
  return { template: Template.fromStack(stack), signIn };
};

describe('StaffSignIn options', () => {
  it('federates with a corporate SAML provider on the console client, behind the hosted domain', () => {
    const { template, signIn } = synth({
      domainPrefix: 'alturas-mophas',
      consoleCallbackUrls: ['https://support.alturas.it/support/'],
      corporateIdentityProvider: { kind: 'saml', name: 'AlturasAD', metadataUrl: 'https://adfs.alturas.it/metadata.xml' },
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'alturas-mophas' });
    // A web page finds the hosted sign-in in the functions' configuration (GET /v1/support/sign-in).
    expect(Stack.of(signIn).resolve(signIn.config.hostedSignIn)).toEqual({
      'Fn::Join': ['', ['https://', { Ref: expect.stringMatching(/Domain/) }, '.auth.eu-south-1.amazoncognito.com']],
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', {
      ProviderName: 'AlturasAD',
      ProviderType: 'SAML',
      ProviderDetails: { MetadataURL: 'https://adfs.alturas.it/metadata.xml' },
    });
    const [idpId] = Object.keys(template.findResources('AWS::Cognito::UserPoolIdentityProvider'));
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: 'mophas-support-console',
      CallbackURLs: ['https://support.alturas.it/support/'],
      // By reference: the provider exists before the client names it.
      SupportedIdentityProviders: ['COGNITO', { Ref: idpId }],
    });
    // The command line stays on pool passwords.
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: 'mophas-support-cli',
      AllowedOAuthFlowsUserPoolClient: false,
    });
  });

  it('keeps an OIDC client secret out of the template (a Secrets Manager dynamic reference)', () => {
    const { template } = synth({
      corporateIdentityProvider: {
        kind: 'oidc',
        name: 'AlturasEntra',
        issuerUrl: 'https://login.microsoftonline.com/tenant/v2.0',
        clientId: 'entra-client',
        clientSecret: SecretValue.secretsManager('mophas/entra-client-secret'),
      },
    });
    const idp = Object.values(template.findResources('AWS::Cognito::UserPoolIdentityProvider'))[0] as {
      Properties: { ProviderDetails: { client_secret: string } };
    };
    expect(idp.Properties.ProviderDetails.client_secret).toMatch(/^\{\{resolve:secretsmanager:mophas\/entra-client-secret/);
  });

  it('creates no hosted domain and no provider by default, and refuses an empty callback list', () => {
    const { template, signIn } = synth({});
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 0);
    template.resourceCountIs('AWS::Cognito::UserPoolIdentityProvider', 0);
    expect(signIn.authorizer.scopes).toEqual(['aws.cognito.signin.user.admin']);
    expect(signIn.config.hostedSignIn).toBeUndefined();
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: 'mophas-support-console',
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'],
      CallbackURLs: ['http://localhost:3000/support/'],
    });
    expect(() => synth({ consoleCallbackUrls: [] })).toThrow(/consoleCallbackUrls/);
  });
});
