// Provider tokens: credentials whose shape alone says what they are, reported in any string of any file. Each
// format is written from the provider's documented token format (prefix, alphabet, length, checksum where there is
// one), cross-checked against gitleaks (config/gitleaks.toml, MIT) and secretlint's recommended preset.
//
// Linear time by construction: one pass of a regex made only of literal prefixes finds candidates; at each one the
// token is the longest run of the format's alphabet (a loop), and its structure is checked on that bounded string.
// No pattern here can backtrack over the text, whatever it holds.
import { zlib } from '../lazy-packages.js';
import { looksLikeWords, shannon } from './entropy.js';
import { isMasked, isPlaceholder, isPlaceholderToken, isReference } from './values.js';

export interface ProviderMatch {
  readonly id: string;
  /** What it is, for messages: "a GitHub personal access token". */
  readonly kind: string;
  /** Provider family, for remediation and measurements: "code", "cloud", "saas", "ai", "store", "generic". */
  readonly family: Family;
  /** The secret itself: for identity hashing only, never shown. */
  readonly secret: string;
  /** The public prefix plus at most 4 characters, or '' when nothing may be shown. */
  readonly preview: string;
  /** Offsets of the whole match in the text searched. */
  readonly start: number;
  readonly end: number;
}

export type Family = 'cloud' | 'code' | 'saas' | 'ai' | 'store' | 'generic';

/** Characters a token of this format is made of (beyond its prefix). */
type Alphabet = (code: number) => boolean;

const isDigit = (c: number) => c >= 48 && c <= 57;
const isUpper = (c: number) => c >= 65 && c <= 90;
const isLower = (c: number) => c >= 97 && c <= 122;
const ALNUM: Alphabet = (c) => isDigit(c) || isUpper(c) || isLower(c);
const HEX_LOWER: Alphabet = (c) => isDigit(c) || (c >= 97 && c <= 102);
const HEX: Alphabet = (c) => HEX_LOWER(c) || (c >= 65 && c <= 70);
const WORD: Alphabet = (c) => ALNUM(c) || c === 95; // \w
const URLSAFE: Alphabet = (c) => WORD(c) || c === 45; // [\w-]
const URLSAFE_DOT: Alphabet = (c) => URLSAFE(c) || c === 46;
const BASE64: Alphabet = (c) => ALNUM(c) || c === 43 || c === 47 || c === 61; // [A-Za-z0-9+/=]
const LETTERS: Alphabet = (c) => isUpper(c) || isLower(c);
const UPPER_ALNUM: Alphabet = (c) => isUpper(c) || isDigit(c);
const LOWER_ALNUM: Alphabet = (c) => isLower(c) || isDigit(c);
const AWS_ID: Alphabet = (c) => isUpper(c) || (c >= 50 && c <= 55); // [A-Z2-7]
/** The 16 characters after an AWS key id's prefix (`AKIA`, or `A3T` and one more): base32. */
const AWS_KEY_ID_BODY = (body: string) => body.length === 16 && allOf(body, AWS_ID);
const SLACK: Alphabet = (c) => ALNUM(c) || c === 45;
const PRINTABLE: Alphabet = (c) => c > 32 && c < 127 && c !== 34 && c !== 39 && c !== 96 && c !== 92; // no quotes, no backslash

interface TokenFormat {
  readonly id: string;
  readonly kind: string;
  readonly family: Family;
  /** Literal, case-sensitive prefixes (the candidate finder looks for these). */
  readonly prefixes: readonly string[];
  readonly alphabet: Alphabet;
  /** Length of the whole token, prefix included. */
  readonly length: readonly [number, number];
  /** Structure of the whole token (a bounded string: it cannot make a scan slow). */
  readonly valid?: (token: string) => boolean;
  /** Characters a message may show: the public prefix (then at most 4 more). 0 shows nothing. */
  readonly show: number;
  /** Minimum Shannon entropy of the part after the prefix (rejects ghp_aaaa... and the like). */
  readonly minEntropy?: number;
  /** Characters before the prefix that belong to the token: a look-back of this many characters of `alphabet`. */
  readonly before?: { readonly length: number; readonly alphabet: Alphabet };
  /** Characters that may not precede the token (default: its alphabet and letters and digits). */
  readonly left?: Alphabet;
}

/** GitHub and npm tokens end in six base62 characters: the CRC32 of the 30 random ones before them. */
function crc32Checksum(token: string, prefixLength: number): boolean {
  const random = token.slice(prefixLength, token.length - 6);
  const expected = base62(zlib().crc32(Buffer.from(random, 'latin1')) >>> 0).padStart(6, '0');
  return token.slice(-6) === expected;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export function base62(n: number): string {
  let out = '';
  let v = n;
  do {
    out = BASE62[v % 62] + out;
    v = Math.floor(v / 62);
  } while (v > 0);
  return out;
}

/** Base64 (standard or URL-safe) decoded as text, or undefined. */
function decodeText(b64: string): string | undefined {
  try {
    const text = Buffer.from(b64.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    return text.includes('\uFFFD') ? undefined : text;
  } catch {
    return undefined;
  }
}

function jsonObject(b64: string): Record<string, unknown> | undefined {
  const text = decodeText(b64);
  if (!text || text[0] !== '{') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const segments = (token: string, separator: string) => token.split(separator);
const allOf = (text: string, alphabet: Alphabet) => {
  for (let i = 0; i < text.length; i++) if (!alphabet(text.charCodeAt(i))) return false;
  return true;
};

export const TOKEN_FORMATS: readonly TokenFormat[] = [
  // --- Code and CI ---
  {
    id: 'github-token',
    kind: 'a GitHub token',
    family: 'code',
    prefixes: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'],
    alphabet: ALNUM,
    length: [40, 40],
    show: 4,
    valid: (t) => crc32Checksum(t, 4),
  },
  {
    id: 'github-fine-grained-pat',
    kind: 'a GitHub fine-grained token',
    family: 'code',
    prefixes: ['github_pat_'],
    alphabet: WORD,
    length: [93, 93],
    show: 11,
    minEntropy: 3.5,
    valid: (t) => /^github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}$/.test(t),
  },
  {
    id: 'gitlab-token',
    kind: 'a GitLab token',
    family: 'code',
    prefixes: [
      'glpat-',
      'gloas-',
      'gldt-',
      'glrt-',
      'glrtr-',
      'glcbt-',
      'glft-',
      'glimt-',
      'glagent-',
      'glsoat-',
      'glffct-',
      'glwt-',
      'gltst-',
    ],
    alphabet: URLSAFE_DOT,
    length: [25, 320],
    show: 6,
    minEntropy: 3,
  },
  {
    id: 'gitlab-trigger-token',
    kind: 'a GitLab pipeline trigger token',
    family: 'code',
    prefixes: ['glptt-'],
    alphabet: HEX_LOWER,
    length: [46, 46],
    show: 6,
    minEntropy: 3,
  },
  {
    id: 'gitlab-runner-registration',
    kind: 'a GitLab runner registration token',
    family: 'code',
    prefixes: ['GR1348941'],
    alphabet: URLSAFE,
    length: [29, 29],
    show: 9,
    minEntropy: 3,
  },
  {
    id: 'bitbucket-app-password',
    kind: 'a Bitbucket app password',
    family: 'code',
    prefixes: ['ATBB'],
    alphabet: ALNUM,
    length: [36, 36],
    show: 4,
    minEntropy: 3.5,
  },
  {
    id: 'atlassian',
    kind: 'an Atlassian or Bitbucket API token',
    family: 'code',
    prefixes: ['ATATT3', 'ATCTT3'],
    alphabet: (c) => URLSAFE(c) || c === 61,
    length: [150, 260],
    show: 6,
    minEntropy: 4,
  },
  {
    id: 'npm',
    kind: 'an npm access token',
    family: 'code',
    prefixes: ['npm_'],
    alphabet: ALNUM,
    length: [40, 40],
    show: 4,
    valid: (t) => crc32Checksum(t, 4),
  },
  {
    id: 'pypi',
    kind: 'a PyPI token',
    family: 'code',
    prefixes: ['pypi-AgEIcHlwaS5vcmc', 'pypi-AgENdGVzdC5weXBpLm9yZw'],
    alphabet: URLSAFE,
    length: [70, 1000],
    show: 5,
  },
  {
    id: 'nuget',
    kind: 'a NuGet API key',
    family: 'code',
    prefixes: ['oy2'],
    alphabet: LOWER_ALNUM,
    length: [46, 46],
    show: 3,
    minEntropy: 3.5,
  },
  {
    id: 'docker-hub',
    kind: 'a Docker Hub access token',
    family: 'code',
    prefixes: ['dckr_pat_', 'dckr_oat_'],
    alphabet: URLSAFE,
    length: [36, 45],
    show: 9,
    minEntropy: 3.5,
  },
  {
    id: 'jfrog-api-key',
    kind: 'a JFrog API key',
    family: 'code',
    prefixes: ['AKCp'],
    alphabet: ALNUM,
    length: [73, 73],
    show: 4,
    minEntropy: 4,
  },
  {
    id: 'jfrog-reference-token',
    kind: 'a JFrog reference token',
    family: 'code',
    prefixes: ['cmVmdGtuOjAxOj'],
    alphabet: ALNUM,
    length: [64, 64],
    show: 4,
    minEntropy: 4,
  },
  {
    id: 'sonarqube',
    kind: 'a SonarQube token',
    family: 'code',
    prefixes: ['sqp_', 'sqa_', 'squ_', 'sqco_'],
    alphabet: HEX_LOWER,
    length: [44, 45],
    show: 4,
    minEntropy: 3,
  },
  {
    id: 'snyk',
    kind: 'a Snyk token',
    family: 'code',
    prefixes: ['snyk_uat.', 'snyk_sat.', 'snyk_ort.'],
    alphabet: (c) => URLSAFE_DOT(c),
    length: [40, 400],
    show: 9,
    minEntropy: 3.5,
  },
  {
    id: 'octopus-deploy',
    kind: 'an Octopus Deploy API key',
    family: 'code',
    prefixes: ['API-'],
    alphabet: UPPER_ALNUM,
    length: [29, 36],
    show: 4,
    minEntropy: 3,
    // 32 hex digits after API- are a GUID without dashes (Notion page slugs such as notion.site/API-BD80F56C...), which
    // a random [A-Z0-9] key almost never is ((16/36)^26 < 1e-9).
    valid: (t) => /\d/.test(t) && !/^API-[0-9A-F]{32}$/.test(t),
  },
  {
    id: 'sourcegraph',
    kind: 'a Sourcegraph access token',
    family: 'code',
    prefixes: ['sgp_'],
    alphabet: (c) => HEX(c) || c === 95 || isLower(c),
    length: [44, 70],
    show: 4,
    valid: (t) => /^sgp_(?:[a-fA-F0-9]{16}_|local_)?[a-fA-F0-9]{40}$/.test(t),
    minEntropy: 3,
  },
  // --- Cloud ---
  {
    id: 'aws-access-key-id',
    kind: 'an AWS access key id',
    family: 'cloud',
    prefixes: ['AKIA', 'ASIA', 'ABIA', 'ACCA', 'A3T'],
    alphabet: UPPER_ALNUM,
    length: [20, 20],
    show: 4,
    // The shape is specific enough (a four-character prefix, then 16 of base32): a made-up id such as AKIADEADBEEF...
    // is found too; only one or two characters repeated (AKIAAAAA...) is a stand-in.
    minEntropy: 1,
    valid: (t) => AWS_KEY_ID_BODY(t.slice(4)),
  },
  {
    id: 'aws-bedrock-api-key',
    kind: 'an Amazon Bedrock API key',
    family: 'cloud',
    prefixes: ['ABSKQmVkcm9ja0FQSUtleS', 'bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t'],
    alphabet: BASE64,
    length: [60, 2000],
    show: 4,
  },
  {
    id: 'gcp-api-key',
    kind: 'a Google API key',
    family: 'cloud',
    prefixes: ['AIza'],
    alphabet: URLSAFE,
    length: [39, 39],
    show: 4,
    minEntropy: 3.5,
  },
  {
    // OAuth client secrets issued since 2021: GOCSPX- and 28 URL-safe characters.
    id: 'gcp-oauth-client-secret',
    kind: 'a Google OAuth client secret',
    family: 'cloud',
    prefixes: ['GOCSPX-'],
    alphabet: URLSAFE,
    length: [35, 35],
    show: 7,
    minEntropy: 3.5,
  },
  {
    // OAuth 2.0 access tokens (opaque, short-lived, but a bearer credential while they live): ya29. and URL-safe text.
    id: 'gcp-oauth-access-token',
    kind: 'a Google OAuth access token',
    family: 'cloud',
    prefixes: ['ya29.'],
    alphabet: URLSAFE,
    length: [25, 2048],
    show: 5,
    minEntropy: 3.5,
  },
  {
    id: 'alibaba',
    kind: 'an Alibaba Cloud access key id',
    family: 'cloud',
    prefixes: ['LTAI'],
    alphabet: ALNUM,
    length: [16, 30],
    show: 4,
    minEntropy: 3,
  },
  {
    id: 'digitalocean',
    kind: 'a DigitalOcean token',
    family: 'cloud',
    prefixes: ['dop_v1_', 'doo_v1_', 'dor_v1_'],
    alphabet: HEX_LOWER,
    length: [71, 71],
    show: 7,
    minEntropy: 3,
  },
  {
    id: 'cloudflare-origin-ca-key',
    kind: 'a Cloudflare Origin CA key',
    family: 'cloud',
    prefixes: ['v1.0-'],
    alphabet: (c) => HEX_LOWER(c) || c === 45,
    length: [176, 176],
    show: 5,
    valid: (t) => /^v1\.0-[a-f0-9]{24}-[a-f0-9]{146}$/.test(t),
    minEntropy: 3,
  },
  {
    id: 'flyio',
    kind: 'a Fly.io token',
    family: 'cloud',
    prefixes: ['fo1_'],
    alphabet: URLSAFE,
    length: [47, 47],
    show: 4,
    minEntropy: 3.5,
  },
  {
    id: 'flyio-macaroon',
    kind: 'a Fly.io token',
    family: 'cloud',
    prefixes: ['fm1r_', 'fm1a_', 'fm2_'],
    alphabet: BASE64,
    length: [100, 5000],
    show: 5,
    minEntropy: 4,
  },
  {
    id: 'heroku',
    kind: 'a Heroku API key',
    family: 'cloud',
    prefixes: ['HRKU-AA'],
    alphabet: URLSAFE,
    length: [65, 65],
    show: 7,
    minEntropy: 3.5,
  },
  {
    id: 'scalingo',
    kind: 'a Scalingo API token',
    family: 'cloud',
    prefixes: ['tk-us-'],
    alphabet: URLSAFE,
    length: [54, 54],
    show: 6,
    minEntropy: 3.5,
  },
  {
    id: 'azure-ad-client-secret',
    kind: 'an Azure AD client secret',
    family: 'cloud',
    prefixes: ['Q~'],
    alphabet: (c) => WORD(c) || c === 126 || c === 46 || c === 45,
    length: [37, 40],
    show: 0,
    minEntropy: 3,
    before: { length: 4, alphabet: (c) => WORD(c) || c === 126 || c === 46 },
    valid: (t) => isDigit(t.charCodeAt(3)) && !/[~.]{3}/.test(t),
  },
  {
    id: 'azure-storage-key',
    kind: 'an Azure storage account key',
    family: 'cloud',
    prefixes: ['AccountKey='],
    alphabet: BASE64,
    length: [99, 99],
    show: 0,
    minEntropy: 4,
    valid: (t) => t.endsWith('=='),
  },
  {
    id: 'terraform-cloud',
    kind: 'a Terraform Cloud token',
    family: 'cloud',
    prefixes: ['.atlasv1.'],
    alphabet: (c) => URLSAFE(c) || c === 61,
    length: [83, 95],
    show: 0,
    before: { length: 14, alphabet: LOWER_ALNUM },
  },
  // --- Messaging and SaaS ---
  {
    id: 'slack-token',
    kind: 'a Slack token',
    family: 'saas',
    prefixes: ['xoxb-', 'xoxp-', 'xoxa-', 'xoxr-', 'xoxs-', 'xoxo-', 'xoxe-', 'xoxe.xoxp-', 'xoxe.xoxb-', 'xapp-'],
    alphabet: SLACK,
    length: [30, 300],
    show: 5,
    minEntropy: 3,
    valid: slackToken,
  },
  {
    id: 'slack-webhook',
    kind: 'a Slack webhook URL',
    family: 'saas',
    prefixes: ['hooks.slack.com/'],
    alphabet: (c) => ALNUM(c) || c === 47 || c === 43,
    length: [60, 120],
    show: 0,
    valid: slackWebhook,
    left: (c) => ALNUM(c) || c === 46,
  },
  {
    id: 'twilio',
    kind: 'a Twilio API key',
    family: 'saas',
    prefixes: ['SK'],
    alphabet: HEX_LOWER,
    length: [34, 34],
    show: 2,
    minEntropy: 3,
  },
  {
    id: 'sendgrid',
    kind: 'a SendGrid API key',
    family: 'saas',
    prefixes: ['SG.'],
    alphabet: URLSAFE_DOT,
    length: [69, 69],
    show: 3,
    minEntropy: 4,
    valid: (t) => /^SG\.[\w-]{22}\.[\w-]{43}$/.test(t),
  },
  {
    id: 'mailchimp',
    kind: 'a Mailchimp API key',
    family: 'saas',
    prefixes: ['-us'],
    alphabet: isDigit,
    length: [36, 37],
    show: 0,
    minEntropy: 0,
    before: { length: 32, alphabet: HEX_LOWER },
  },
  {
    id: 'mailgun',
    kind: 'a Mailgun API key',
    family: 'saas',
    prefixes: ['key-'],
    alphabet: HEX_LOWER,
    length: [36, 36],
    show: 4,
    minEntropy: 3,
  },
  {
    id: 'hubspot',
    kind: 'a HubSpot private app token',
    family: 'saas',
    prefixes: ['pat-na1-', 'pat-eu1-', 'pat-na2-', 'pat-ap1-'],
    alphabet: (c) => HEX_LOWER(c) || c === 45,
    length: [44, 44],
    show: 8,
    valid: (t) => /^pat-[a-z]{2}\d-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(t),
    minEntropy: 3,
  },
  {
    id: 'facebook-access-token',
    kind: 'a Facebook access token',
    family: 'saas',
    prefixes: ['EAA', 'EAAA'],
    alphabet: ALNUM,
    length: [90, 400],
    show: 3,
    minEntropy: 4,
  },
  {
    id: 'stripe',
    kind: 'a Stripe API key',
    family: 'saas',
    prefixes: ['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_', 'sk_prod_', 'rk_prod_', 'whsec_'],
    alphabet: ALNUM,
    length: [30, 255],
    show: 8,
    minEntropy: 3.5,
  },
  {
    id: 'square',
    kind: 'a Square access token',
    family: 'saas',
    prefixes: ['sq0atp-', 'sq0csp-', 'EAAA'],
    alphabet: URLSAFE,
    length: [29, 64],
    show: 7,
    minEntropy: 3.5,
    valid: squareToken,
  },
  {
    id: 'shopify',
    kind: 'a Shopify token',
    family: 'saas',
    prefixes: ['shpat_', 'shpca_', 'shppa_', 'shpss_'],
    alphabet: HEX,
    length: [38, 38],
    show: 6,
    minEntropy: 3,
  },
  {
    id: 'maxmind',
    kind: 'a MaxMind license key',
    family: 'saas',
    prefixes: ['_mmk'],
    alphabet: ALNUM,
    length: [40, 40],
    show: 0,
    before: { length: 36, alphabet: WORD },
    valid: (t) => /^[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk$/.test(t),
    minEntropy: 0,
  },
  {
    id: 'freemius',
    kind: 'a Freemius secret key',
    family: 'saas',
    prefixes: ['sk_'],
    alphabet: PRINTABLE,
    length: [32, 32],
    show: 0,
    minEntropy: 3.8,
    left: ALNUM,
  },
  {
    id: 'clickhouse',
    kind: 'a ClickHouse Cloud API secret',
    family: 'saas',
    prefixes: ['4b1d'],
    alphabet: ALNUM,
    length: [42, 42],
    show: 4,
    minEntropy: 3.8,
  },
  {
    id: '42-intra',
    kind: 'a 42 Intra client secret',
    family: 'saas',
    prefixes: ['s-s4t2ud-', 's-s4t2af-'],
    alphabet: HEX_LOWER,
    length: [73, 73],
    show: 9,
    minEntropy: 3,
  },
  {
    id: 'sentry',
    kind: 'a Sentry token',
    family: 'saas',
    prefixes: ['sntryu_', 'sntrys_'],
    alphabet: (c) => BASE64(c) || c === 95 || c === 45,
    length: [70, 400],
    show: 6,
    minEntropy: 3.5,
  },
  {
    id: 'newrelic',
    kind: 'a New Relic API key',
    family: 'saas',
    prefixes: ['NRAK-'],
    alphabet: UPPER_ALNUM,
    length: [32, 32],
    show: 5,
    minEntropy: 3,
  },
  {
    id: 'linear',
    kind: 'a Linear API key',
    family: 'saas',
    prefixes: ['lin_api_'],
    alphabet: ALNUM,
    length: [48, 48],
    show: 8,
    minEntropy: 3.5,
  },
  {
    id: 'pulumi',
    kind: 'a Pulumi token',
    family: 'code',
    prefixes: ['pul-'],
    alphabet: HEX_LOWER,
    length: [44, 44],
    show: 4,
    minEntropy: 3,
  },
  {
    id: 'postman',
    kind: 'a Postman API key',
    family: 'code',
    prefixes: ['PMAK-'],
    alphabet: (c) => HEX(c) || c === 45,
    length: [64, 64],
    show: 5,
    minEntropy: 3,
    valid: (t) => /^PMAK-[a-fA-F0-9]{24}-[a-fA-F0-9]{34}$/.test(t),
  },
  {
    id: 'grafana',
    kind: 'a Grafana token',
    family: 'saas',
    prefixes: ['glsa_', 'glc_'],
    alphabet: (c) => BASE64(c) || c === 95,
    length: [37, 420],
    show: 4,
    minEntropy: 3.5,
  },
  {
    id: 'databricks',
    kind: 'a Databricks token',
    family: 'code',
    prefixes: ['dapi'],
    alphabet: (c) => HEX_LOWER(c) || c === 45,
    length: [36, 38],
    show: 4,
    minEntropy: 3,
    valid: (t) => /^dapi[a-f0-9]{32}(?:-\d)?$/.test(t),
  },
  // --- AI ---
  {
    id: 'openai',
    kind: 'an OpenAI API key',
    family: 'ai',
    prefixes: ['sk-proj-', 'sk-svcacct-', 'sk-admin-', 'sk-None-', 'sk-'],
    alphabet: URLSAFE,
    length: [51, 300],
    show: 3,
    minEntropy: 3.5,
    valid: (t) => t.includes('T3BlbkFJ') && !t.startsWith('sk-ant-'),
  },
  {
    id: 'anthropic',
    kind: 'an Anthropic API key',
    family: 'ai',
    prefixes: ['sk-ant-api03-', 'sk-ant-admin01-'],
    alphabet: URLSAFE,
    length: [108, 110],
    show: 7,
    minEntropy: 3.5,
    valid: (t) => t.endsWith('AA') && t.length === t.indexOf('-', 7) + 1 + 95,
  },
  {
    id: 'huggingface',
    kind: 'a Hugging Face token',
    family: 'ai',
    prefixes: ['hf_', 'api_org_'],
    alphabet: LETTERS,
    length: [37, 42],
    show: 3,
    minEntropy: 3.5,
    valid: (t) => t.length - t.indexOf('_', t.startsWith('api_') ? 4 : 0) - 1 === 34,
  },
  {
    id: 'perplexity',
    kind: 'a Perplexity API key',
    family: 'ai',
    prefixes: ['pplx-'],
    alphabet: ALNUM,
    length: [53, 53],
    show: 5,
    minEntropy: 3.5,
  },
  {
    id: 'notion',
    kind: 'a Notion integration token',
    family: 'ai',
    prefixes: ['ntn_', 'secret_'],
    alphabet: ALNUM,
    length: [50, 50],
    show: 4,
    minEntropy: 3.5,
    valid: (t) => t.startsWith('secret_') || /^ntn_\d{11}/.test(t),
  },
  // --- Secret stores ---
  {
    id: 'vault-token',
    kind: 'a HashiCorp Vault token',
    family: 'store',
    prefixes: ['hvs.', 'hvb.', 'hvr.'],
    alphabet: URLSAFE,
    length: [94, 400],
    show: 4,
    minEntropy: 3.5,
  },
  {
    id: '1password-secret-key',
    kind: 'a 1Password secret key',
    family: 'store',
    prefixes: ['A3-'],
    alphabet: (c) => UPPER_ALNUM(c) || c === 45,
    length: [34, 40],
    show: 3,
    valid: (t) =>
      /^A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}$/.test(t),
    minEntropy: 3,
  },
  {
    id: '1password-service-account',
    kind: 'a 1Password service-account token',
    family: 'store',
    prefixes: ['ops_eyJ'],
    alphabet: BASE64,
    length: [250, 3000],
    show: 4,
  },
  {
    id: 'doppler',
    kind: 'a Doppler token',
    family: 'store',
    prefixes: ['dp.pt.', 'dp.st.', 'dp.sa.', 'dp.ct.', 'dp.scim.', 'dp.audit.'],
    alphabet: ALNUM,
    length: [46, 60],
    show: 6,
    minEntropy: 3.5,
  },
  {
    // A service token names its environment: dp.st.<environment>.<token> (Doppler's token formats).
    id: 'doppler',
    kind: 'a Doppler token',
    family: 'store',
    prefixes: ['dp.st.'],
    alphabet: (c) => ALNUM(c) || c === 46 || c === 45 || c === 95,
    length: [49, 96],
    show: 6,
    minEntropy: 3.5,
    valid: (t) => /^dp\.st\.[a-z0-9_-]{2,35}\.[A-Za-z0-9]{40,44}$/.test(t),
  },
  {
    id: 'age',
    kind: 'an age secret key',
    family: 'store',
    prefixes: ['AGE-SECRET-KEY-1'],
    alphabet: UPPER_ALNUM,
    length: [74, 74],
    show: 0,
  },
  // --- Generic forms ---
  {
    id: 'jwt',
    kind: 'a JSON Web Token',
    family: 'generic',
    prefixes: ['eyJ'],
    alphabet: (c) => URLSAFE_DOT(c) || c === 61,
    length: [30, 20_000],
    show: 0,
    valid: jwt,
  },
];

function slackToken(t: string): boolean {
  if (t.startsWith('xapp-')) return /^xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+$/i.test(t);
  if (t.startsWith('xoxe.')) return /^xoxe\.xox[bp]-\d-[A-Za-z0-9]{100,}$/.test(t);
  if (t.startsWith('xoxe-')) return /^xoxe-\d-[A-Za-z0-9]{100,}$/.test(t);
  const parts = segments(t, '-');
  // Legacy bot token of a custom bot integration: xoxb-<digits>-<24 letters and digits>.
  if (parts.length === 3 && parts[0] === 'xoxb' && /^\d{8,13}$/.test(parts[1]) && /^[A-Za-z0-9]{24}$/.test(parts[2]))
    return true;
  // xoxb-<team>-<bot>-<secret>, xoxp-<team>-<user>-<team>-<secret>, xoxa-2-..., legacy xoxs-/xoxo-<digits>-...-<hex>
  const numeric = parts.slice(1, -1).filter((p) => /^\d+$/.test(p)).length;
  return parts.length >= 4 && numeric >= 2 && parts[parts.length - 1].length >= 10;
}

function slackWebhook(t: string): boolean {
  return /^hooks\.slack\.com\/(?:services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{20,}|workflows\/T[A-Z0-9]+\/A[A-Z0-9]+\/\d+\/[A-Za-z0-9]{20,}|triggers\/T[A-Z0-9]+\/\d+\/[a-f0-9]{20,})$/.test(
    t,
  );
}

function squareToken(t: string): boolean {
  if (t.startsWith('sq0atp-')) return t.length === 29;
  if (t.startsWith('sq0csp-')) return t.length === 50;
  return t.length === 64; // EAAA + 60
}

function jwt(t: string): boolean {
  const parts = segments(t, '.');
  if (parts.length !== 3 || parts[1].length < 8 || !parts[1].startsWith('ey')) return false;
  const payload = jsonObject(parts[1]);
  if (payload === undefined || !allOf(parts[2], URLSAFE)) return false;
  const header = jsonObject(parts[0]);
  if (header !== undefined) return typeof header.alg === 'string';
  // A header damaged in copying (one character changed, so its JSON no longer parses) still opens with its algorithm;
  // with claims that decode and a signature, the token is as exposed as an intact one.
  return parts[2].length >= 16 && (decodeText(parts[0]) ?? '').startsWith('{"alg":"');
}

/** Formats by prefix; the candidate finder is the alternation of every prefix, longest first. */
const BY_PREFIX = new Map<string, TokenFormat[]>();
for (const f of TOKEN_FORMATS) for (const p of f.prefixes) BY_PREFIX.set(p, [...(BY_PREFIX.get(p) ?? []), f]);
const PREFIXES = [...BY_PREFIX.keys()].sort((a, b) => b.length - a.length); // longest first: sk-proj- before sk-
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/**
 * The candidates as one pattern: an alternation of escaped literals only (every prefix, and the anchors of the
 * procedural detectors: PEM, URLs with a password). The scan uses the equivalent table below; this pattern is what
 * other code may test cheaply, exported so that the ReDoS check of the tests covers it.
 */
export const PROVIDER_CANDIDATES = RegExp([...PREFIXES, '-----BEGIN', '://'].map(escape).join('|'), 'g');
const CANDIDATE_PREFIXES = [...PREFIXES, '-----BEGIN', '://'];

/** Candidate prefixes by their first two characters (all prefixes have at least two), longest first. */
const BY_FIRST_TWO = new Map<number, string[]>();
for (const prefix of CANDIDATE_PREFIXES) {
  const key = prefix.charCodeAt(0) * 65536 + prefix.charCodeAt(1);
  BY_FIRST_TWO.set(key, [...(BY_FIRST_TWO.get(key) ?? []), prefix]);
}
/**
 * The first two characters of some prefix (all prefixes are ASCII), as 1 + the index of their row in THIRD; 0 for
 * none. A typed-array test per character, before anything else.
 */
const FIRST_TWO = new Uint8Array(128 * 128);
/**
 * By row of a prefix's first two characters and a third character (128: any other, or the end of the text): 1 when
 * a prefix of that row can go on with it (a two-character prefix goes on with anything). Prose is full of the first
 * two characters of prefixes (`se`, `pa`, `ke`, `do`, `sh`), far less of the first three.
 */
const THIRD = new Uint8Array(BY_FIRST_TWO.size * 129);
for (const [row, prefixes] of [...BY_FIRST_TWO.values()].entries()) {
  FIRST_TWO[prefixes[0].charCodeAt(0) * 128 + prefixes[0].charCodeAt(1)] = row + 1;
  for (const prefix of prefixes)
    if (prefix.length === 2) THIRD.fill(1, row * 129, row * 129 + 129);
    else THIRD[row * 129 + prefix.charCodeAt(2)] = 1;
}

/**
 * Where the next candidate prefix starts, at or after `from`, or -1: a loop over the characters with tables of the
 * first two and three characters of the prefixes, cheaper than one regex alternation of every prefix and the same
 * places as PROVIDER_CANDIDATES. candidatePrefixAt tells which prefix it is.
 */
function nextCandidate(text: string, from: number): number {
  const length = text.length;
  if (from >= length - 1) return -1;
  // Each character is read once: the second and third of one position are the first and second of the next.
  let a = text.charCodeAt(from);
  let b = text.charCodeAt(from + 1);
  for (let i = from; i < length - 1; i++) {
    const c = i + 2 < length ? text.charCodeAt(i + 2) : 128;
    if (a < 128 && b < 128) {
      const row = FIRST_TWO[a * 128 + b];
      if (row !== 0 && THIRD[(row - 1) * 129 + Math.min(c, 128)] === 1 && candidatePrefixAt(text, i) !== undefined)
        return i;
    }
    a = b;
    b = c;
  }
  return -1;
}

/** The longest candidate prefix at `index`, or undefined. */
function candidatePrefixAt(text: string, index: number): string | undefined {
  const list = BY_FIRST_TWO.get(text.charCodeAt(index) * 65536 + text.charCodeAt(index + 1));
  if (list !== undefined) for (const prefix of list) if (text.startsWith(prefix, index)) return prefix;
  return undefined;
}

/** Prefixes at least this long are distinctive enough to say whose a string is, even when it fails the format. */
const OWNING_PREFIX_MIN = 4;

/**
 * The provider prefix a string opens with (ghp_, AIza, AKIA, sgp_, tk-us- ...; four characters or more, formats
 * whose prefix opens the token), or undefined. Such a string is that provider's to judge: when its detector rejects
 * it (checksum, length, alphabet), it is a near miss of that format, not an unknown random credential.
 */
export function providerPrefixOf(value: string): string | undefined {
  if (value.length < OWNING_PREFIX_MIN) return undefined;
  const list = BY_FIRST_TWO.get(value.charCodeAt(0) * 65536 + value.charCodeAt(1));
  if (!list) return undefined;
  for (const prefix of list)
    if (
      prefix.length >= OWNING_PREFIX_MIN &&
      value.startsWith(prefix) &&
      BY_PREFIX.get(prefix)?.some((format) => !format.before)
    )
      return prefix;
  return undefined;
}

/**
 * The text holds a candidate prefix (of a token, a PEM block or a URL with a password): without one,
 * findProviderSecrets finds nothing in it, nor in any part of it. A `://` counts only when user information ending in
 * `@` follows (urlPasswordAt and tokenAsUserAt need one): what lies between is no blank, quote or line break, so it
 * reads the same in any part of the text that holds the `://`.
 */
export function hasProviderCandidate(text: string): boolean {
  for (let index = nextCandidate(text, 0); index !== -1; index = nextCandidate(text, index + 1))
    if (isCandidateAt(text, index, candidatePrefixAt(text, index) as string)) return true;
  return false;
}

/** A candidate prefix found at `index` counts: any but `://`, which counts with user information ending in `@`. */
function isCandidateAt(text: string, index: number, prefix: string): boolean {
  return prefix !== '://' || text.charCodeAt(userinfoEnd(text, index + 3)) === 64;
}

/** Where the user information of a URL ends (at `@`, `/`, a blank, a quote ... or after 600 characters). */
function userinfoEnd(text: string, from: number): number {
  const limit = Math.min(text.length, from + 600);
  let i = from;
  while (i < limit && !USERINFO_STOP(text.charCodeAt(i))) i++;
  return i;
}

/** The shared empty result (never mutated: callers copy before sorting). */
const NONE: ProviderMatch[] = Object.freeze([]) as unknown as ProviderMatch[];

/** Shorter texts hold no token (the shortest format is 16 characters; PEM keys and URLs with a password are longer). */
const MIN_TEXT = 16;

/** Every provider secret in a text (validated, placeholders and references rejected). */
export function findProviderSecrets(text: string): ProviderMatch[] {
  return scanProviders(text, undefined);
}

/** What one scan of a text tells: its provider secrets, and whether it holds a candidate (hasProviderCandidate). */
export interface ProviderScan {
  readonly matches: ProviderMatch[];
  readonly candidate: boolean;
}

/**
 * findProviderSecrets and hasProviderCandidate of a text in one pass over it: the scan for secrets meets every
 * candidate hasProviderCandidate would (it skips only the inside of a secret found, and a text with a secret has a
 * candidate).
 */
export function scanProviderSecrets(text: string): ProviderScan {
  const noted = { candidate: false };
  const matches = scanProviders(text, noted);
  return { matches, candidate: noted.candidate || matches.length > 0 };
}

function scanProviders(text: string, noted: { candidate: boolean } | undefined): ProviderMatch[] {
  if (text.length < MIN_TEXT) {
    if (noted) noted.candidate = hasProviderCandidate(text);
    return NONE;
  }
  let found: ProviderMatch[] | undefined; // allocated on the first match: most strings have none
  let from = 0;
  let runs: Runs | undefined; // allocated for the first token candidate
  let pemEndAfter = -2; // where the next "-----END" is, memoised so that many BEGINs without an END stay linear
  for (let index = nextCandidate(text, from); index !== -1; index = nextCandidate(text, from)) {
    const prefix = candidatePrefixAt(text, index) as string;
    if (noted && !noted.candidate && isCandidateAt(text, index, prefix)) noted.candidate = true;
    let match: ProviderMatch | undefined;
    if (prefix === '-----BEGIN') {
      if (pemEndAfter !== -1 && pemEndAfter < index) pemEndAfter = text.indexOf('-----END', index);
      match = pemEndAfter === -1 ? undefined : pemAt(text, index, pemEndAfter);
    } else if (prefix === '://') {
      match = urlPasswordAt(text, index);
    } else {
      for (const format of BY_PREFIX.get(prefix) ?? []) {
        match = tokenAt(text, index, prefix, format, (runs ??= new Map()));
        if (match) break;
      }
    }
    if (match && !found?.some((f) => f.start < match.end && match.start < f.end)) {
      (found ??= []).push(match);
      from = Math.max(match.end, index + 1);
    } else {
      from = index + 1;
    }
  }
  return found ?? NONE;
}

/** The end of the maximal run of `alphabet` characters from `from`, memoised per alphabet: a run is scanned once. */
type Runs = Map<Alphabet, { start: number; end: number }>;
function runEnd(text: string, from: number, alphabet: Alphabet, runs: Runs): number {
  const known = runs.get(alphabet);
  if (known && from >= known.start && from <= known.end) return known.end;
  let end = from;
  while (end < text.length && alphabet(text.charCodeAt(end))) end++;
  runs.set(alphabet, { start: from, end });
  return end;
}

function tokenAt(text: string, index: number, prefix: string, f: TokenFormat, runs: Runs): ProviderMatch | undefined {
  let start = index;
  if (f.before) {
    start = index - f.before.length;
    if (start < 0) return undefined;
    for (let i = start; i < index; i++) if (!f.before.alphabet(text.charCodeAt(i))) return undefined;
  }
  // The token starts its run: a prefix preceded by a character it could contain is inside something longer (and
  // checking only run starts keeps the scan linear: each run is validated once).
  if (start > 0) {
    const c = text.charCodeAt(start - 1);
    if (f.left ? f.left(c) : ALNUM(c) || (c !== 61 && f.alphabet(c))) return undefined; // '=' is a separator (KEY=token) before a token, padding only after
  }
  const end = runEnd(text, index + prefix.length, f.alphabet, runs);
  if (end - start < f.length[0] || end - start > f.length[1]) return undefined;
  const token = text.slice(start, end);
  const body = f.before ? token : token.slice(prefix.length);
  if (f.valid && !f.valid(token)) return undefined;
  if (shannon(body) <= (f.minEntropy ?? 2.5)) return undefined;
  if (isPlaceholderToken(body) || isPlaceholderToken(token)) return undefined;
  return { id: f.id, kind: f.kind, family: f.family, secret: token, preview: preview(token, f.show), start, end };
}

const PEM_LABEL_MAX = 100;

/** A PEM private key of any type (RSA, EC, DSA, OPENSSH, ENCRYPTED, PGP ...) starting at `index`. */
function pemAt(text: string, index: number, endIndex: number): ProviderMatch | undefined {
  const labelStart = index + '-----BEGIN'.length;
  const labelEnd = boundedIndexOf(text, '-----', labelStart, PEM_LABEL_MAX);
  if (labelEnd === -1 || labelEnd > endIndex) return undefined;
  const label = text.slice(labelStart, labelEnd).trim();
  if (!label.endsWith('PRIVATE KEY') && !label.endsWith('PRIVATE KEY BLOCK')) return undefined;
  // Another BEGIN before the END: this one has no body of its own (and each text span is validated once).
  const nextBegin = text.indexOf('-----BEGIN', labelEnd);
  if (nextBegin !== -1 && nextBegin < endIndex) return undefined;
  const afterEnd = boundedIndexOf(text, '-----', endIndex + '-----END'.length, PEM_LABEL_MAX);
  if (afterEnd === -1) return undefined;
  const end = afterEnd + 5;
  const pem = text.slice(index, end);
  if (!validPemPrivateKey(pem)) return undefined;
  return {
    id: 'private-key',
    kind: 'a PEM private key',
    family: 'generic',
    secret: pem,
    preview: '',
    start: index,
    end,
  };
}

/** indexOf within `within` characters of `from`. */
function boundedIndexOf(text: string, needle: string, from: number, within: number): number {
  const at = text.slice(from, from + within + needle.length).indexOf(needle);
  return at === -1 ? -1 : from + at;
}

const PEM_BODY_START = /^(?:MI|b3BlbnNzaC1rZXktdjE|[A-Za-z0-9+/]{60})/;

/** A PEM private key with a real body: base64 of at least 100 characters that starts like DER or OpenSSH. */
export function validPemPrivateKey(pem: string): boolean {
  const lines = pem
    .replace(/\\n/g, '\n')
    .split('\n')
    .map((l) => l.trim());
  const body = lines.filter((l) => l && !l.startsWith('-----') && !/^[A-Za-z-]+:/.test(l)).join('');
  if (pem.includes('PGP PRIVATE KEY'))
    return body.length >= 100 && allOf(body.replace(/=[A-Za-z0-9+/]{4}$/, ''), BASE64);
  return body.length >= 100 && allOf(body, BASE64) && PEM_BODY_START.test(body) && shannon(body) > 4.5;
}

const DATABASE_SCHEMES = new Set([
  'postgres',
  'postgresql',
  'mysql',
  'mariadb',
  'mongodb',
  'mongodb+srv',
  'redis',
  'rediss',
  'amqp',
  'amqps',
  'mssql',
  'sqlserver',
  'clickhouse',
  'nats',
  'cassandra',
  'couchdb',
  'neo4j',
  'oracle',
  'kafka',
  'memcached',
  'elasticsearch',
  'opensearch',
  'influxdb',
  'cockroachdb',
  'snowflake',
]);
const AUTH_SCHEMES = new Set([
  'http',
  'https',
  'git+https', // package managers' repository URLs (npm, pip)
  'git+http',
  'git+ssh',
  'ftp',
  'ftps',
  'sftp',
  'ssh',
  'git',
  'ldap',
  'ldaps',
  'smtp',
  'smtps',
  'ws',
  'wss',
  'svn',
  'rtsp',
  'socks5',
  'imap',
  'imaps',
]);
const SCHEME_CHAR: Alphabet = (c) => LOWER_ALNUM(c) || isUpper(c) || c === 43 || c === 46 || c === 45 || c === 58; // jdbc:postgresql
const USERINFO_STOP = (c: number) =>
  c <= 32 || c === 47 || c === 64 || c === 34 || c === 39 || c === 96 || c === 63 || c === 35;

/** `scheme://user:password@host`: the password, when it is a literal. */
function urlPasswordAt(text: string, index: number): ProviderMatch | undefined {
  let s = index;
  while (s > 0 && index - s < 40 && SCHEME_CHAR(text.charCodeAt(s - 1))) s--;
  const scheme = text
    .slice(s, index)
    .toLowerCase()
    .replace(/^jdbc:/, '');
  const database = DATABASE_SCHEMES.has(scheme);
  if (!database && !AUTH_SCHEMES.has(scheme)) return undefined;
  const userStart = index + 3;
  const i = userinfoEnd(text, userStart);
  const inUserinfo = text.slice(userStart, i).indexOf(':');
  const colon = inUserinfo === -1 ? -1 : userStart + inUserinfo;
  if (i >= text.length || text.charCodeAt(i) !== 64 || colon === userStart) return undefined;
  if (colon === -1) return database ? undefined : tokenAsUserAt(text, userStart, i);
  const password = text.slice(colon + 1, i);
  if (
    password.length < 3 ||
    isTemplateUserinfo(text.slice(userStart, colon), password) ||
    isReference(password) ||
    isPlaceholder(password, { weakIsReal: true }) ||
    isMasked(password) ||
    /^\$/.test(password)
  )
    return undefined;
  if (!database) {
    const hostStart = i + 1;
    if (hostStart >= text.length || USERINFO_STOP(text.charCodeAt(hostStart))) return undefined;
  }
  return {
    id: database ? 'database-url' : 'basic-auth-url',
    kind: database ? 'a database or broker URL with a password' : 'a URL with a password (basic auth)',
    family: 'generic',
    secret: password,
    preview: '',
    start: colon + 1,
    end: i,
  };
}

/** `USERNAME:PASSWORD`, `DB_USER:DB_PASS`: both written as variable names in capitals, a template to fill in. */
function isTemplateUserinfo(user: string, password: string): boolean {
  return /^[A-Z][A-Z_]*$/.test(user) && /^[A-Z][A-Z_]*$/.test(password);
}

/**
 * `https://TOKEN@host` (git and package managers take a token as the user name): the user, when it has a token's
 * shape (random, 20 characters or more; a hex token too). User names (`git`, `oauth2`, `x-access-token`) are words.
 */
function tokenAsUserAt(text: string, start: number, at: number): ProviderMatch | undefined {
  const host = at + 1;
  if (host >= text.length || USERINFO_STOP(text.charCodeAt(host))) return undefined;
  const user = text.slice(start, at);
  // The place says credential already, so the bar is lower than the entropy note's: 20 URL-safe characters mixing
  // letters and digits, not words, 3 bits a character (random hex is about 3.8 at 40).
  if (
    user.length < 20 ||
    !allOf(user, URLSAFE) ||
    !/\d/.test(user) ||
    !/[A-Za-z]/.test(user) ||
    looksLikeWords(user) ||
    shannon(user) <= 3
  )
    return undefined;
  if (isPlaceholderToken(user) || findProviderSecrets(user).length > 0) return undefined; // a provider format names it itself
  return {
    id: 'token-url',
    kind: 'a URL with a token as its user name',
    family: 'generic',
    secret: user,
    preview: '',
    start,
    end: at,
  };
}

/** The public prefix plus at most 4 characters, then an ellipsis; nothing when the pattern has no public prefix. */
export function preview(token: string, prefix: number): string {
  if (prefix <= 0 || token.length < prefix + 12) return '';
  return `${token.slice(0, prefix + 4)}…`;
}
