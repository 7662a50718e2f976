import { Duration, RemovalPolicy, type SecretValue, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import {
  CONSOLE_SCOPES,
  cognitoIssuer,
  LOCAL_CONSOLE_URL,
  jwtAuthorizerSettings,
  STAFF_GROUPS,
  STAFF_PASSWORD_POLICY,
  STAFF_TOKEN_VALIDITY,
  type JwtAuthorizerSettings,
  type StaffSignInConfig,
} from '../../shared/auth/sign-in';

/**
 * A corporate identity provider Alturas staff sign in with instead of (or beside)
 * pool passwords. Federated people still need a group (`staff` or `agent`) in
 * the pool: staff add them after their first sign-in (docs/operations.md).
 */
export type CorporateIdentityProviderProps =
  | {
      readonly kind: 'oidc';
      /** Name shown on the sign-in page and used in federated user names (`<name>_<id>`). */
      readonly name: string;
      /** The provider's issuer, e.g. `https://login.microsoftonline.com/<tenant>/v2.0`. */
      readonly issuerUrl: string;
      readonly clientId: string;
      /** From Secrets Manager, never a literal: `SecretValue.secretsManager('…')`. */
      readonly clientSecret: SecretValue;
      /** @default ['openid', 'email', 'profile'] */
      readonly scopes?: string[];
    }
  | {
      readonly kind: 'saml';
      readonly name: string;
      /** URL of the provider's SAML metadata document. */
      readonly metadataUrl: string;
    };

export interface StaffSignInProps {
  /**
   * Prefix of the Cognito-hosted sign-in domain
   * (`https://<prefix>.auth.<region>.amazoncognito.com`), which the browser
   * console's authorization-code flow and a corporate provider need. Unique per region.
   * @default no hosted domain (the command line signs in without one)
   */
  readonly domainPrefix?: string;
  /**
   * Where the hosted sign-in may send the browser console back with the code.
   * @default [LOCAL_CONSOLE_URL] (the local console; the stack adds its distribution's `/support/`)
   */
  readonly consoleCallbackUrls?: string[];
  /** @default the callback URLs */
  readonly consoleLogoutUrls?: string[];
  /** A corporate identity provider (OIDC or SAML) to federate with. @default none: pool users only */
  readonly corporateIdentityProvider?: CorporateIdentityProviderProps;
  /** @default RemovalPolicy.RETAIN (people and their MFA devices are not recreated by a redeploy) */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Sign-in for people on the Alturas side: an Amazon Cognito user pool whose
 * groups `staff` and `agent` say what a person may do (shared/auth/sign-in.ts).
 * Only administrators create users; optional TOTP MFA; the password policy; an
 * app client for the browser console (authorization code + PKCE, no secret) and
 * one for the command line (USER_PASSWORD_AUTH, no secret). Its tokens are
 * checked by the HTTP API's JWT authorizer ({@link authorizer}).
 */
export class StaffSignIn extends Construct {
  public readonly userPool: cognito.UserPool;
  public readonly cliClient: cognito.UserPoolClient;
  public readonly consoleClient: cognito.UserPoolClient;
  public readonly domain?: cognito.UserPoolDomain;
  /** What functions and clients need to know (STAFF_SIGN_IN). */
  public readonly config: StaffSignInConfig;
  /** The JWT authorizer's settings for the HTTP API. */
  public readonly authorizer: JwtAuthorizerSettings;

  constructor(scope: Construct, id: string, props: StaffSignInProps = {}) {
    super(scope, id);
    const callbackUrls = props.consoleCallbackUrls ?? [LOCAL_CONSOLE_URL];
    if (callbackUrls.length === 0) throw new Error('StaffSignIn: consoleCallbackUrls must not be empty');
    const p = STAFF_PASSWORD_POLICY;

    this.userPool = new cognito.UserPool(this, 'Pool', {
      userPoolName: `${Stack.of(this).stackName}-staff`,
      // People are added by staff (AdminCreateUser), never by themselves.
      selfSignUpEnabled: false,
      signInAliases: { username: true },
      signInCaseSensitive: false,
      standardAttributes: { email: { required: true, mutable: true } },
      autoVerify: { email: true },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: p.minLength,
        requireLowercase: p.requireLowercase,
        requireUppercase: p.requireUppercase,
        requireDigits: p.requireDigits,
        requireSymbols: p.requireSymbols,
        tempPasswordValidity: Duration.days(p.tempPasswordValidityDays),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });

    new cognito.UserPoolGroup(this, 'StaffGroup', {
      userPool: this.userPool,
      groupName: STAFF_GROUPS.staff,
      description: 'Alturas support staff: every customer; manage agent assignments',
      precedence: 0,
    });
    new cognito.UserPoolGroup(this, 'AgentGroup', {
      userPool: this.userPool,
      groupName: STAFF_GROUPS.agent,
      description: 'Agents: only the customers staff assign to them',
      precedence: 10,
    });

    const providers = [cognito.UserPoolClientIdentityProvider.COGNITO];
    const idp = props.corporateIdentityProvider;
    if (idp) {
      const attributeMapping = { email: cognito.ProviderAttribute.other('email') };
      const federated =
        idp.kind === 'oidc'
          ? new cognito.UserPoolIdentityProviderOidc(this, 'CorporateIdp', {
              userPool: this.userPool,
              name: idp.name,
              issuerUrl: idp.issuerUrl,
              clientId: idp.clientId,
              // A Secrets Manager SecretValue renders as a dynamic reference CloudFormation resolves at deploy time:
              // the secret is never written into the template.
              clientSecret: idp.clientSecret.unsafeUnwrap(),
              scopes: idp.scopes ?? ['openid', 'email', 'profile'],
              attributeMapping,
            })
          : new cognito.UserPoolIdentityProviderSaml(this, 'CorporateIdp', {
              userPool: this.userPool,
              name: idp.name,
              metadata: cognito.UserPoolIdentityProviderSamlMetadata.url(idp.metadataUrl),
              attributeMapping,
            });
      providers.push(cognito.UserPoolClientIdentityProvider.custom(federated.providerName));
    }

    const v = STAFF_TOKEN_VALIDITY;
    const tokens = {
      accessTokenValidity: Duration.minutes(v.accessMinutes),
      idTokenValidity: Duration.minutes(v.idMinutes),
      refreshTokenValidity: Duration.hours(v.refreshHours),
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
    };
    // The command line: user name and password sent to Cognito over TLS; no OAuth pages.
    this.cliClient = this.userPool.addClient('CliClient', {
      userPoolClientName: 'mophas-support-cli',
      generateSecret: false,
      authFlows: { userPassword: true },
      disableOAuth: true,
      ...tokens,
    });
    // The browser console: the hosted sign-in (and the corporate provider) with authorization code + PKCE.
    this.consoleClient = this.userPool.addClient('ConsoleClient', {
      userPoolClientName: 'mophas-support-console',
      generateSecret: false,
      // Refresh only: passwords are typed into the hosted page, never into the console.
      authFlows: { userSrp: false },
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false },
        scopes: CONSOLE_SCOPES.map((scope) => cognito.OAuthScope.custom(scope)),
        callbackUrls,
        logoutUrls: props.consoleLogoutUrls ?? callbackUrls,
      },
      supportedIdentityProviders: providers,
      ...tokens,
    });

    if (props.domainPrefix) {
      this.domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: props.domainPrefix } });
    }

    const region = Stack.of(this).region;
    this.config = {
      region,
      userPoolId: this.userPool.userPoolId,
      issuer: cognitoIssuer(region, this.userPool.userPoolId),
      clients: { cli: this.cliClient.userPoolClientId, console: this.consoleClient.userPoolClientId },
      ...(this.domain ? { hostedSignIn: this.domain.baseUrl() } : {}),
    };
    this.authorizer = jwtAuthorizerSettings(this.config);
  }
}
