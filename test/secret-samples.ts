// Provider tokens built at run time from their documented formats (random parts, real checksums), each with a near
// miss that a detector must not report: nothing here is a real credential, and no committed file holds a token a
// secret scanner would block. Shared by the unit tests, the redaction test and scripts/secrets-eval.ts.
import { randomBytes, randomInt } from './seeded-random.js';
import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
export const HEX = '0123456789abcdef';
export const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const URLSAFE = `${ALNUM}_-`;
export const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function rand(n: number, alphabet = ALNUM): string {
  let out = '';
  for (let i = 0; i < n; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function base62(n: number): string {
  let out = '';
  let v = n;
  do {
    out = BASE62[v % 62] + out;
    v = Math.floor(v / 62);
  } while (v > 0);
  return out.padStart(6, '0');
}

/** GitHub/npm style: prefix, 30 random base62 characters, then their CRC32 in base62 (6 characters). */
export function checksummed(prefix: string): string {
  const random = rand(30);
  return `${prefix}${random}${base62(crc32(Buffer.from(random)) >>> 0)}`;
}

/** The same with a wrong checksum: the shape of a token, but not one the provider issued. */
export function badChecksum(prefix: string): string {
  const token = checksummed(prefix);
  const last = token.at(-1) === 'A' ? 'B' : 'A';
  return token.slice(0, -1) + last;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function pem(label = 'PRIVATE KEY'): string {
  const body = randomBytes(180).toString('base64').replace(/^../, 'MI');
  return `-----BEGIN ${label}-----\n${body.match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----`;
}

export interface Sample {
  /** Detector id expected (providers), or the family's generic form. */
  readonly id: string;
  readonly family: 'cloud' | 'code' | 'saas' | 'ai' | 'store' | 'generic';
  /** The credential, as a value a ConfigMap key could hold. */
  readonly token: () => string;
  /** A value that resembles it and is not a credential (a sample, a mask, a public id, a wrong checksum or length). */
  readonly nearMiss: () => string;
  /** A key name a platform team would use for it (the near miss goes under a neutral one). */
  readonly key: string;
  /** The key the near miss sits under in a labelled set (default `note`): a public id's own name, say. */
  readonly nearKey?: string;
}

export const SAMPLES: readonly Sample[] = [
  // Cloud
  {
    id: 'aws-access-key-id',
    family: 'cloud',
    key: 'AWS_ACCESS_KEY_ID',
    token: () => `AKIA${rand(16, BASE32)}`,
    nearMiss: () => 'AKIAIOSFODNN7EXAMPLE',
  },
  {
    id: 'aws-secret-access-key',
    family: 'cloud',
    key: 'AWS_SECRET_ACCESS_KEY',
    token: () => rand(40, `${ALNUM}/+`),
    nearMiss: () => 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  },
  {
    id: 'aws-bedrock-api-key',
    family: 'cloud',
    key: 'AWS_BEARER_TOKEN_BEDROCK',
    token: () =>
      `ABSK${Buffer.from(`BedrockAPIKey-${rand(4, LOWER_ALNUM)}-at-${rand(12, '0123456789')}:${rand(60, `${ALNUM}+/`)}`).toString('base64')}`,
    nearMiss: () => 'ABSKQmVkcm9ja0FQSUtleS0...',
  },
  {
    id: 'gcp-api-key',
    family: 'cloud',
    key: 'GOOGLE_API_KEY',
    token: () => `AIza${rand(35, URLSAFE)}`,
    nearMiss: () => 'AIzaSy...',
  },
  {
    id: 'gcp-oauth-client-secret',
    family: 'cloud',
    key: 'GOOGLE_CLIENT_SECRET',
    token: () => `GOCSPX-${rand(28, URLSAFE)}`,
    nearMiss: () => `GOCSPX-${'*'.repeat(24)}${rand(4, URLSAFE)}`, // masked as the console lists it
  },
  {
    id: 'gcp-oauth-access-token',
    family: 'cloud',
    key: 'GOOGLE_ACCESS_TOKEN',
    token: () => `ya29.a0${rand(150, URLSAFE)}`,
    nearMiss: () => 'ya29.xxxxxxxxxxxxxxxxxxxxxxxx', // a masked token, as documentation writes it
  },
  {
    id: 'gcp-service-account',
    family: 'cloud',
    key: 'credentials.json',
    token: () =>
      JSON.stringify({
        type: 'service_account',
        project_id: 'shop-prod',
        private_key_id: rand(40, HEX),
        private_key: `${pem()}\n`,
        client_email: 'ci@shop-prod.iam.gserviceaccount.com',
      }),
    nearMiss: () =>
      JSON.stringify({
        type: 'service_account',
        project_id: 'shop-prod',
        client_email: 'ci@shop-prod.iam.gserviceaccount.com',
        client_id: '1234567890',
      }),
  },
  {
    id: 'azure-ad-client-secret',
    family: 'cloud',
    key: 'AZURE_CLIENT_SECRET',
    token: () => `${rand(3, ALNUM)}${randomInt(10)}Q~${rand(34, `${ALNUM}_~.-`).replace(/[~.]{2,}/g, 'a')}`,
    nearMiss: () => `${rand(3)}Q~${rand(34)}`,
  },
  {
    id: 'azure-storage-key',
    family: 'cloud',
    key: 'AZURE_STORAGE_CONNECTION_STRING',
    token: () =>
      `DefaultEndpointsProtocol=https;AccountName=shopdata;AccountKey=${rand(86, `${ALNUM}+/`)}==;EndpointSuffix=core.windows.net`,
    nearMiss: () =>
      'DefaultEndpointsProtocol=https;AccountName=devstoreaccount1;AccountKey=<storage-key>;EndpointSuffix=core.windows.net',
  },
  {
    id: 'alibaba',
    family: 'cloud',
    key: 'ALIBABA_CLOUD_ACCESS_KEY_ID',
    token: () => `LTAI${rand(20)}`,
    nearMiss: () => `LTAI${'x'.repeat(20)}`,
  },
  {
    id: 'digitalocean',
    family: 'cloud',
    key: 'DIGITALOCEAN_ACCESS_TOKEN',
    token: () => `dop_v1_${rand(64, HEX)}`,
    nearMiss: () => 'dop_v1_...',
  },
  {
    id: 'cloudflare-api-token',
    family: 'cloud',
    key: 'CLOUDFLARE_API_TOKEN',
    token: () => rand(40, URLSAFE),
    nearMiss: () => 'cloudflare-api-token',
  },
  {
    id: 'cloudflare-origin-ca-key',
    family: 'cloud',
    key: 'CF_ORIGIN_CA_KEY',
    token: () => `v1.0-${rand(24, HEX)}-${rand(146, HEX)}`,
    nearMiss: () => `v1.0-${rand(24, HEX)}`,
  },
  {
    id: 'flyio',
    family: 'cloud',
    key: 'FLY_API_TOKEN',
    token: () => `fo1_${rand(43, URLSAFE)}`,
    nearMiss: () => 'fo1_****',
  },
  {
    id: 'flyio-macaroon',
    family: 'cloud',
    key: 'FLY_ACCESS_TOKEN',
    token: () => `fm2_${randomBytes(120).toString('base64')}`,
    nearMiss: () => 'FlyV1 fm2_...',
  },
  {
    id: 'heroku',
    family: 'cloud',
    key: 'HEROKU_API_KEY',
    token: () => `HRKU-AA${rand(58, URLSAFE)}`,
    nearMiss: () => 'HRKU-AAxxxxxxxxxxxxxxxx',
  },
  {
    id: 'heroku-legacy',
    family: 'cloud',
    key: 'HEROKU_API_KEY',
    token: () => crypto.randomUUID(),
    nearMiss: () => '00000000-0000-0000-0000-000000000000',
  },
  {
    id: 'scalingo',
    family: 'cloud',
    key: 'SCALINGO_API_TOKEN',
    token: () => `tk-us-${rand(48, URLSAFE)}`,
    nearMiss: () => 'tk-us-your-token-here',
  },
  // Code and CI
  ...['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'].map(
    (prefix): Sample => ({
      id: 'github-token',
      family: 'code',
      key: 'GITHUB_TOKEN',
      token: () => checksummed(prefix),
      nearMiss: () => `${prefix}${'*'.repeat(32)}${rand(4)}`,
    }),
  ),
  {
    id: 'github-fine-grained-pat',
    family: 'code',
    key: 'GH_PAT',
    token: () => `github_pat_${rand(22)}_${rand(59)}`,
    nearMiss: () => `github_pat_${rand(22)}_...`,
  },
  {
    id: 'gitlab-token',
    family: 'code',
    key: 'GITLAB_TOKEN',
    token: () => `glpat-${rand(20, URLSAFE)}`,
    nearMiss: () => 'glpat-xxxxxxxxxxxxxxxxxxxx',
  },
  {
    id: 'gitlab-token',
    family: 'code',
    key: 'CI_DEPLOY_TOKEN',
    token: () => `gldt-${rand(20, URLSAFE)}`,
    nearMiss: () => 'gldt-<token>',
  },
  {
    id: 'gitlab-token',
    family: 'code',
    key: 'RUNNER_TOKEN',
    token: () => `glrt-${rand(27, URLSAFE)}.01.${rand(9, LOWER_ALNUM)}`,
    nearMiss: () => 'glrt-REPLACE_ME',
  },
  {
    id: 'bitbucket-app-password',
    family: 'code',
    key: 'BITBUCKET_APP_PASSWORD',
    token: () => `ATBB${rand(32)}`,
    nearMiss: () => 'ATBB****',
  },
  {
    id: 'atlassian',
    family: 'code',
    key: 'BITBUCKET_ACCESS_TOKEN',
    token: () => `ATCTT3xFfGN0${rand(180, URLSAFE)}=${rand(8, HEX.toUpperCase())}`,
    nearMiss: () => 'ATCTT3xFfGN0...',
  },
  {
    id: 'npm',
    family: 'code',
    key: 'NPM_TOKEN',
    token: () => checksummed('npm_'),
    nearMiss: () => 'npm_****************',
  },
  {
    id: 'pypi',
    family: 'code',
    key: 'PYPI_API_TOKEN',
    token: () => `pypi-AgEIcHlwaS5vcmc${rand(70, URLSAFE)}`,
    nearMiss: () => 'pypi-AgEIcHlwaS5vcmc...',
  },
  {
    id: 'nuget',
    family: 'code',
    key: 'NUGET_API_KEY',
    token: () => `oy2${rand(43, LOWER_ALNUM)}`,
    nearMiss: () => `oy2${'a'.repeat(43)}`,
  },
  {
    id: 'docker-hub',
    family: 'code',
    key: 'DOCKERHUB_TOKEN',
    token: () => `dckr_pat_${rand(27, URLSAFE)}`,
    nearMiss: () => 'dckr_pat_XXXXXXXXXXXXXXXXXXXXXXXXXXX',
  },
  {
    id: 'jfrog-api-key',
    family: 'code',
    key: 'ARTIFACTORY_API_KEY',
    token: () => `AKCp${rand(69)}`,
    nearMiss: () => 'AKCp8...',
  },
  {
    id: 'jfrog-reference-token',
    family: 'code',
    key: 'JFROG_ACCESS_TOKEN',
    token: () => `cmVmdGtuOjAxOj${rand(50)}`,
    nearMiss: () => 'cmVmdGtuOjAxOj...',
  },
  {
    id: 'sonarqube',
    family: 'code',
    key: 'SONAR_TOKEN',
    token: () => `sqp_${rand(40, HEX)}`,
    nearMiss: () => `sqp_${'0'.repeat(40)}`,
  },
  { id: 'sonarcloud', family: 'code', key: 'SONAR_TOKEN', token: () => rand(40, HEX), nearMiss: () => 'sonarcloud' },
  {
    id: 'snyk-uuid',
    family: 'code',
    key: 'SNYK_TOKEN',
    token: () => crypto.randomUUID(),
    nearMiss: () => 'snyk-org-platform',
  },
  {
    id: 'snyk',
    family: 'code',
    key: 'SNYK_TOKEN',
    token: () => `snyk_uat.${rand(8, HEX)}.${rand(40, URLSAFE)}`,
    nearMiss: () => 'snyk_uat.<token>',
  },
  {
    id: 'octopus-deploy',
    family: 'code',
    key: 'OCTOPUS_API_KEY',
    token: () => `API-${rand(26, UPPER_ALNUM)}`,
    nearMiss: () => 'API-KEY',
  },
  {
    id: 'sourcegraph',
    family: 'code',
    key: 'SRC_ACCESS_TOKEN',
    token: () => `sgp_${rand(16, HEX)}_${rand(40, HEX)}`,
    nearMiss: () => 'sgp_local_...',
  },
  // Messaging and SaaS
  {
    id: 'slack-token',
    family: 'saas',
    key: 'SLACK_BOT_TOKEN',
    token: () => `xoxb-${rand(12, '0123456789')}-${rand(13, '0123456789')}-${rand(24)}`,
    nearMiss: () => 'xoxb-your-bot-token',
  },
  {
    id: 'slack-token',
    family: 'saas',
    key: 'SLACK_BOT_TOKEN',
    token: () => `xoxb-${rand(12, '0123456789')}-${rand(24)}`, // legacy bot token of a custom bot integration
    nearMiss: () => `xoxb-${rand(12, '0123456789')}`, // the team part alone, its secret cut off
  },
  {
    id: 'slack-token',
    family: 'saas',
    key: 'SLACK_USER_TOKEN',
    token: () => `xoxp-${rand(12, '0123456789')}-${rand(12, '0123456789')}-${rand(13, '0123456789')}-${rand(32, HEX)}`,
    nearMiss: () => 'xoxp-...',
  },
  {
    id: 'slack-token',
    family: 'saas',
    key: 'SLACK_APP_TOKEN',
    token: () => `xapp-1-A${rand(10, UPPER_ALNUM)}-${rand(13, '0123456789')}-${rand(64, HEX)}`,
    nearMiss: () => 'xapp-1-XXXXXXXX',
  },
  {
    id: 'slack-token',
    family: 'saas',
    key: 'SLACK_CONFIG_TOKEN',
    token: () => `xoxe.xoxp-1-${rand(140)}`,
    nearMiss: () => 'xoxe.xoxp-1-...',
  },
  {
    id: 'slack-token',
    family: 'saas',
    key: 'SLACK_CONFIG_REFRESH_TOKEN',
    token: () => `xoxe-1-${rand(140)}`,
    nearMiss: () => 'xoxe-1-<refresh token>',
  },
  {
    id: 'slack-token',
    family: 'saas',
    key: 'SLACK_LEGACY_TOKEN',
    token: () => `xoxs-${rand(10, '0123456789')}-${rand(11, '0123456789')}-${rand(12, '0123456789')}-${rand(64, HEX)}`,
    nearMiss: () => 'xoxs-****',
  },
  {
    id: 'slack-token',
    family: 'saas',
    key: 'SLACK_WORKSPACE_TOKEN',
    token: () => `xoxa-2-${rand(12, '0123456789')}-${rand(13, '0123456789')}-${rand(32, HEX)}`,
    nearMiss: () => 'xoxa-2-xxxxxxxxxxxx',
  },
  {
    id: 'slack-webhook',
    family: 'saas',
    key: 'SLACK_WEBHOOK_URL',
    token: () => `https://hooks.slack.com/services/T${rand(8, UPPER_ALNUM)}/B${rand(8, UPPER_ALNUM)}/${rand(24)}`,
    nearMiss: () => 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
  },
  {
    id: 'twilio',
    family: 'saas',
    key: 'TWILIO_API_KEY',
    token: () => `SK${rand(32, HEX)}`,
    nearMiss: () => `AC${rand(32, HEX)}`,
    nearKey: 'TWILIO_ACCOUNT_SID',
  },
  {
    id: 'sendgrid',
    family: 'saas',
    key: 'SENDGRID_API_KEY',
    token: () => `SG.${rand(22, URLSAFE)}.${rand(43, URLSAFE)}`,
    nearMiss: () => 'SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  },
  {
    id: 'mailchimp',
    family: 'saas',
    key: 'MAILCHIMP_API_KEY',
    token: () => `${rand(32, HEX)}-us${randomInt(1, 21)}`,
    nearMiss: () => 'mailchimp-us6',
  },
  {
    id: 'mailgun',
    family: 'saas',
    key: 'MAILGUN_API_KEY',
    token: () => `key-${rand(32, HEX)}`,
    nearMiss: () => `pubkey-${rand(32, HEX)}`,
    nearKey: 'MAILGUN_PUBLIC_KEY',
  },
  {
    id: 'messagebird',
    family: 'saas',
    key: 'MESSAGEBIRD_ACCESS_KEY',
    token: () => rand(25),
    nearMiss: () => 'messagebird-live',
  },
  {
    id: 'hubspot',
    family: 'saas',
    key: 'HUBSPOT_ACCESS_TOKEN',
    token: () => `pat-na1-${crypto.randomUUID()}`,
    nearMiss: () => 'pat-na1-00000000-0000-0000-0000-000000000000',
  },
  {
    id: 'okta',
    family: 'saas',
    key: 'OKTA_API_TOKEN',
    token: () => `00${rand(40, URLSAFE)}`,
    nearMiss: () => 'https://dev-123456.okta.com',
  },
  {
    id: 'facebook-access-token',
    family: 'saas',
    key: 'FACEBOOK_ACCESS_TOKEN',
    token: () => `EAAG${rand(180)}`,
    nearMiss: () => 'EAAG...',
  },
  {
    id: 'facebook-page-token',
    family: 'saas',
    key: 'FB_PAGE_ACCESS_TOKEN',
    token: () => `EAAM${rand(160)}`,
    nearMiss: () => 'EAAMxxxx',
  },
  {
    id: 'facebook-app-secret',
    family: 'saas',
    key: 'FACEBOOK_APP_SECRET',
    token: () => rand(32, HEX),
    nearMiss: () => rand(15, '0123456789'),
    nearKey: 'FACEBOOK_APP_ID',
  },
  {
    id: 'stripe',
    family: 'saas',
    key: 'STRIPE_SECRET_KEY',
    token: () => `sk_live_${rand(99)}`,
    nearMiss: () => `pk_live_${rand(99)}`,
    nearKey: 'STRIPE_PUBLISHABLE_KEY',
  },
  {
    id: 'square',
    family: 'saas',
    key: 'SQUARE_ACCESS_TOKEN',
    token: () => `EAAA${rand(60, URLSAFE)}`,
    nearMiss: () => `sq0idp-${rand(22, URLSAFE)}`,
    nearKey: 'SQUARE_APPLICATION_ID',
  },
  {
    id: 'shopify',
    family: 'saas',
    key: 'SHOPIFY_ACCESS_TOKEN',
    token: () => `shpat_${rand(32, HEX)}`,
    nearMiss: () => 'shpat_********************************',
  },
  {
    id: 'sumologic',
    family: 'saas',
    key: 'SUMO_ACCESS_KEY',
    token: () => rand(64),
    nearMiss: () => 'sumologic-collector',
  },
  {
    id: 'maxmind',
    family: 'saas',
    key: 'MAXMIND_LICENSE_KEY',
    token: () => `${rand(6)}_${rand(29)}_mmk`,
    nearMiss: () => 'GeoLite2-City',
  },
  {
    id: 'clickhouse',
    family: 'saas',
    key: 'CLICKHOUSE_API_SECRET',
    token: () => `4b1d${rand(38)}`,
    nearMiss: () => '4b1d...',
  },
  {
    id: '42-intra',
    family: 'saas',
    key: 'FT_CLIENT_SECRET',
    token: () => `s-s4t2ud-${rand(64, HEX)}`,
    nearMiss: () => `u-s4t2ud-${rand(64, HEX)}`,
    nearKey: 'FT_CLIENT_UID',
  },
  {
    id: 'freemius',
    family: 'saas',
    key: 'FREEMIUS_SECRET_KEY',
    token: () => `sk_${rand(29, `${ALNUM}!#$%&()*+,./:;<=>?@[]^_{|}~-`)}`,
    nearMiss: () => `pk_${rand(29)}`,
    nearKey: 'FREEMIUS_PUBLIC_KEY',
  },
  // AI
  {
    id: 'openai',
    family: 'ai',
    key: 'OPENAI_API_KEY',
    token: () => `sk-proj-${rand(74, URLSAFE)}T3BlbkFJ${rand(74, URLSAFE)}`,
    nearMiss: () => 'sk-proj-...',
  },
  {
    id: 'openai',
    family: 'ai',
    key: 'OPENAI_API_KEY',
    token: () => `sk-${rand(20)}T3BlbkFJ${rand(20)}`,
    nearMiss: () => 'sk-...',
  },
  {
    id: 'anthropic',
    family: 'ai',
    key: 'ANTHROPIC_API_KEY',
    token: () => `sk-ant-api03-${rand(93, URLSAFE)}AA`,
    nearMiss: () => 'sk-ant-api03-...',
  },
  {
    id: 'anthropic',
    family: 'ai',
    key: 'ANTHROPIC_ADMIN_KEY',
    token: () => `sk-ant-admin01-${rand(93, URLSAFE)}AA`,
    nearMiss: () => 'sk-ant-admin01-xxxxxxxx',
  },
  {
    id: 'huggingface',
    family: 'ai',
    key: 'HF_TOKEN',
    token: () => `hf_${rand(34, LETTERS)}`,
    nearMiss: () => `hf_${'x'.repeat(34)}`,
  },
  {
    id: 'huggingface',
    family: 'ai',
    key: 'HF_ORG_TOKEN',
    token: () => `api_org_${rand(34, LETTERS)}`,
    nearMiss: () => `api_org_${'a'.repeat(34)}`,
  },
  {
    id: 'perplexity',
    family: 'ai',
    key: 'PERPLEXITY_API_KEY',
    token: () => `pplx-${rand(48)}`,
    nearMiss: () => 'pplx-<your-key>',
  },
  {
    id: 'aws-bedrock-api-key',
    family: 'ai',
    key: 'BEDROCK_API_KEY',
    token: () => `bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t${randomBytes(300).toString('base64')}`,
    nearMiss: () => 'bedrock-api-key-...',
  },
  {
    id: 'notion',
    family: 'ai',
    key: 'NOTION_TOKEN',
    token: () => `ntn_${rand(11, '0123456789')}${rand(35)}`,
    nearMiss: () => 'ntn_****',
  },
  // Secret stores
  {
    id: 'vault-token',
    family: 'store',
    key: 'VAULT_TOKEN',
    token: () => `hvs.${rand(91, URLSAFE)}`,
    nearMiss: () => 'hvs.xxxxxxxxxxxxxxxx',
  },
  {
    id: 'vault-token',
    family: 'store',
    key: 'VAULT_BATCH_TOKEN',
    token: () => `hvb.${rand(150, URLSAFE)}`,
    nearMiss: () => 'hvb.<batch-token>',
  },
  {
    id: '1password-secret-key',
    family: 'store',
    key: 'OP_SECRET_KEY',
    token: () =>
      `A3-${rand(6, UPPER_ALNUM)}-${rand(6, UPPER_ALNUM)}-${rand(5, UPPER_ALNUM)}-${rand(5, UPPER_ALNUM)}-${rand(5, UPPER_ALNUM)}-${rand(5, UPPER_ALNUM)}`,
    nearMiss: () => 'A3-XXXXXX-XXXXXX-XXXXX-XXXXX-XXXXX-XXXXX',
  },
  {
    id: '1password-service-account',
    family: 'store',
    key: 'OP_SERVICE_ACCOUNT_TOKEN',
    token: () => `ops_eyJ${randomBytes(240).toString('base64')}`,
    nearMiss: () => 'ops_eyJ...',
  },
  {
    id: 'doppler',
    family: 'store',
    key: 'DOPPLER_TOKEN',
    token: () => `dp.st.${rand(43)}`,
    nearMiss: () => 'dp.st.prd',
  },
  {
    id: 'doppler',
    family: 'store',
    key: 'DOPPLER_TOKEN',
    token: () => `dp.st.dev.${rand(43)}`, // a service token with its environment
    nearMiss: () => 'dp.st.dev.config',
  },
  // Generic forms
  ...['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'DSA PRIVATE KEY', 'ENCRYPTED PRIVATE KEY'].map(
    (label): Sample => ({
      id: 'private-key',
      family: 'generic',
      key: 'tls.key',
      token: () => pem(label),
      nearMiss: () => `-----BEGIN ${label}-----\n...\n-----END ${label}-----`,
    }),
  ),
  {
    id: 'private-key',
    family: 'generic',
    key: 'id_ed25519',
    token: () =>
      `-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE${randomBytes(300)
        .toString('base64')
        .match(/.{1,70}/g)!
        .join('\n')}\n-----END OPENSSH PRIVATE KEY-----`,
    nearMiss: () => `-----BEGIN PUBLIC KEY-----\n${randomBytes(200).toString('base64')}\n-----END PUBLIC KEY-----`,
  },
  {
    id: 'jwt',
    family: 'generic',
    key: 'ID_TOKEN',
    token: () =>
      `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url({ sub: rand(12), iss: 'https://issuer.example.net', exp: 1900000000 })}.${rand(86, URLSAFE)}`,
    nearMiss: () => `eyJ${rand(30)}.eyJ${rand(30)}.${rand(40)}`,
  },
  {
    id: 'basic-auth-url',
    family: 'generic',
    key: 'GIT_REMOTE',
    token: () => `https://ci:${rand(14)}@git.example.net/shop.git`,
    nearMiss: () => 'https://ci:${GIT_PASSWORD}@git.example.net/shop.git',
  },
  {
    id: 'basic-auth-url',
    family: 'generic',
    key: 'repository',
    token: () => `git+https://ci:${rand(14)}@git.example.net/shop.git`, // npm and pip repository URLs
    nearMiss: () => 'git+https://git.example.net/shop.git',
  },
  {
    id: 'database-url',
    family: 'generic',
    key: 'DATABASE_URL',
    token: () => `postgresql://shop:${rand(16)}@db.shop.svc:5432/shop`,
    nearMiss: () => 'postgresql://shop@db.shop.svc:5432/shop',
  },
  {
    id: 'database-url',
    family: 'generic',
    key: 'REDIS_URL',
    token: () => `rediss://default:${rand(24)}@cache.shop.svc:6380/0`,
    nearMiss: () => 'redis://:<password>@cache:6379/0',
  },
  {
    id: 'token-url',
    family: 'generic',
    key: 'GIT_REMOTE',
    token: () => `https://${rand(40, HEX)}@github.com/shop/api.git`, // a token as the user: git takes it as the credential
    nearMiss: () => 'https://x-access-token@github.com/shop/api.git',
  },
];

/** One published sample of test/data/secrets-labelled.json (see test/data/README.md): a token or a near miss. */
export interface LabelledSample {
  readonly family: Sample['family'];
  readonly provider: string;
  readonly positive: boolean;
  /** Where it comes from: an upstream rule's examples, a provider's documentation, or a documented format. */
  readonly source: string;
  /** The text as found (key and context included), decoded from the file's base64. */
  readonly text: string;
}

export const LABELLED_SET = new URL('./data/secrets-labelled.json', import.meta.url);

/**
 * The labelled set, or another file of the same shape. Texts are stored base64 so that no committed file holds a
 * string a push-protection scanner would block (as the samples above are built at run time); a file with plain `text`
 * fields (a set kept elsewhere) is read as well.
 */
export function loadLabelled(file: string | URL = LABELLED_SET): LabelledSample[] {
  const entries = JSON.parse(readFileSync(file, 'utf8')) as (Omit<LabelledSample, 'text'> & {
    text?: string;
    base64?: string;
  })[];
  return entries.map(({ base64, text, ...e }) => ({
    ...e,
    text: text ?? Buffer.from(base64 ?? '', 'base64').toString('utf8'),
  }));
}
