// Provider-specific secret patterns: tokens whose shape alone says what they are, so they are reported in any string
// of any file. Regexes from gitleaks (config/gitleaks.toml at b58d3f1, MIT) and secretlint's recommended preset,
// translated to JavaScript.
import { shannon } from './entropy.js';
import { isPlaceholder, isReference } from './values.js';

export interface ProviderPattern {
  readonly id: string;
  /** What it is, for messages: "a GitHub personal access token". */
  readonly kind: string;
  readonly regex: RegExp;
  /** Capture group holding the secret part (default: the whole match). */
  readonly group?: number;
  /** Characters of the public prefix a message may show (followed by at most 4 more); 0 shows nothing. */
  readonly prefix: number;
  /** Minimum Shannon entropy of the secret part (rejects ghp_xxxx... placeholders). */
  readonly minEntropy?: number;
  readonly validate?: (secret: string) => boolean;
}

export interface ProviderMatch {
  readonly id: string;
  readonly kind: string;
  /** The secret itself: for identity hashing only, never shown. */
  readonly secret: string;
  /** The public prefix plus at most 4 characters, or '' when nothing may be shown. */
  readonly preview: string;
  readonly start: number;
  readonly end: number;
}

const PEM_BODY_START = /^(?:MI|b3BlbnNzaC1rZXktdjE|[A-Za-z0-9+/]{60})/;

/** A PEM private key with a real body: base64 of at least 100 characters that starts like DER or OpenSSH. */
export function validPemPrivateKey(pem: string): boolean {
  const lines = pem.replace(/\\n/g, '\n').split(/\r?\n/).map((l) => l.trim());
  const body = lines.filter((l) => l && !l.startsWith('-----') && !/^[A-Za-z-]+:/.test(l)).join('');
  if (/PGP PRIVATE KEY/.test(pem)) return body.length >= 100 && /^[A-Za-z0-9+/=]+$/.test(body.replace(/=[A-Za-z0-9+/]{4}$/, ''));
  return body.length >= 100 && /^[A-Za-z0-9+/=]+$/.test(body) && PEM_BODY_START.test(body) && shannon(body) > 4.5;
}

const URL_PASSWORD_OK = (password: string) => !isReference(password) && !isPlaceholder(password) && !/^\*+$/.test(password) && password.length >= 3;

const PROVIDER_PATTERNS: readonly ProviderPattern[] = [
  {
    id: 'private-key',
    kind: 'a PEM private key',
    regex: /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S]{64,}?-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/g,
    prefix: 0,
    validate: validPemPrivateKey,
  },
  { id: 'aws-access-key-id', kind: 'an AWS access key id', regex: /\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b/g, prefix: 4, minEntropy: 3 },
  { id: 'github-token', kind: 'a GitHub token', regex: /\bgh[pousr]_[0-9a-zA-Z]{36}\b/g, prefix: 4, minEntropy: 3 },
  { id: 'github-fine-grained-pat', kind: 'a GitHub fine-grained token', regex: /\bgithub_pat_\w{82}\b/g, prefix: 11, minEntropy: 3 },
  { id: 'gitlab-token', kind: 'a GitLab token', regex: /\bgl(?:pat|rt|dt)-[\w-]{20,}/g, prefix: 6, minEntropy: 3 },
  { id: 'gitlab-trigger-token', kind: 'a GitLab pipeline trigger token', regex: /\bglptt-[0-9a-f]{40}\b/g, prefix: 6, minEntropy: 3 },
  { id: 'slack-bot-token', kind: 'a Slack token', regex: /\bxox[baprs]-[0-9]{10,13}-[0-9]{10,13}[a-zA-Z0-9-]*/g, prefix: 5, minEntropy: 3 },
  { id: 'slack-user-token', kind: 'a Slack token', regex: /\bxox[pe](?:-[0-9]{10,13}){3}-[a-zA-Z0-9-]{28,34}/g, prefix: 5 },
  { id: 'slack-app-token', kind: 'a Slack app token', regex: /\bxapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+/gi, prefix: 5 },
  { id: 'slack-webhook', kind: 'a Slack webhook URL', regex: /(?:https?:\/\/)?hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/]{43,56}/g, prefix: 0, minEntropy: 3 },
  { id: 'stripe', kind: 'a Stripe API key', regex: /\b(?:sk|rk)_(?:test|live|prod)_[a-zA-Z0-9]{24,99}\b/g, prefix: 8, minEntropy: 3 },
  { id: 'gcp-api-key', kind: 'a Google API key', regex: /\bAIza[\w-]{35}(?![\w-])/g, prefix: 4, minEntropy: 3.5 },
  { id: 'jwt', kind: 'a JSON Web Token', regex: /\bey[a-zA-Z0-9]{17,}\.ey[a-zA-Z0-9/\\_-]{17,}\.(?:[a-zA-Z0-9/\\_-]{10,}={0,2})?/g, prefix: 0, minEntropy: 3 },
  {
    id: 'database-url',
    kind: 'a database or broker URL with a password',
    regex: /\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|clickhouse|nats|cassandra|couchdb|neo4j|jdbc:[a-z]+):\/\/[^\s:/@'"`]+:([^\s@/'"`]+)@/g,
    group: 1,
    prefix: 0,
    validate: URL_PASSWORD_OK,
  },
  {
    id: 'basic-auth-url',
    kind: 'a URL with a password (basic auth)',
    regex: /\b(?:https?|ftps?|sftp|ssh|git|ldaps?|smtps?|wss?):\/\/[^\s:/@'"`]+:([^\s@/'"`]+)@[^\s/'"`]+/g,
    group: 1,
    prefix: 0,
    validate: URL_PASSWORD_OK,
  },
  { id: 'sendgrid', kind: 'a SendGrid API key', regex: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b/g, prefix: 3, minEntropy: 3 },
  { id: 'npm', kind: 'an npm access token', regex: /\bnpm_[A-Za-z0-9]{36}\b/g, prefix: 4, minEntropy: 3 },
  {
    id: 'openai',
    kind: 'an OpenAI API key',
    regex: /\bsk-(?:(?:proj|svcacct|admin)-(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})T3BlbkFJ(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})|[a-zA-Z0-9]{20}T3BlbkFJ[a-zA-Z0-9]{20})\b/g,
    prefix: 3,
  },
  { id: 'anthropic', kind: 'an Anthropic API key', regex: /\bsk-ant-(?:api03|admin01)-[a-zA-Z0-9_-]{93}AA\b/g, prefix: 7 },
  { id: 'huggingface', kind: 'a Hugging Face token', regex: /\bhf_[a-zA-Z]{34}\b/g, prefix: 3, minEntropy: 3 },
  { id: 'vault-token', kind: 'a HashiCorp Vault token', regex: /\bhv[sb]\.[\w-]{90,300}/g, prefix: 4 },
  { id: 'terraform-cloud', kind: 'a Terraform Cloud token', regex: /\b[a-z0-9]{14}\.atlasv1\.[a-z0-9_=-]{60,70}/gi, prefix: 0 },
  { id: 'azure-ad-client-secret', kind: 'an Azure AD client secret', regex: /(?<![\w~.-])[a-zA-Z0-9_~.]{3}\dQ~[a-zA-Z0-9_~.-]{31,34}(?![\w~.-])/g, prefix: 0, minEntropy: 3 },
  { id: 'azure-storage-key', kind: 'an Azure storage account key', regex: /AccountKey=([A-Za-z0-9+/]{86}==)/g, group: 1, prefix: 0 },
  { id: 'digitalocean', kind: 'a DigitalOcean token', regex: /\bdo[por]_v1_[a-f0-9]{64}\b/g, prefix: 7 },
  { id: 'databricks', kind: 'a Databricks token', regex: /\bdapi[a-f0-9]{32}(?:-\d)?\b/g, prefix: 4, minEntropy: 3 },
  { id: 'grafana', kind: 'a Grafana token', regex: /\bglsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}\b|\bglc_[A-Za-z0-9+/]{32,400}={0,3}/g, prefix: 4, minEntropy: 3 },
  { id: 'docker-hub', kind: 'a Docker Hub access token', regex: /\bdckr_pat_[a-zA-Z0-9_-]{27}\b/g, prefix: 9 },
  { id: 'shopify', kind: 'a Shopify token', regex: /\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b/g, prefix: 6 },
  { id: 'pypi', kind: 'a PyPI token', regex: /\bpypi-AgEIcHlwaS5vcmc[\w-]{50,1000}/g, prefix: 5 },
  { id: 'age', kind: 'an age secret key', regex: /AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}/g, prefix: 0 },
  { id: 'alibaba', kind: 'an Alibaba Cloud access key id', regex: /\bLTAI[a-zA-Z0-9]{20}\b/g, prefix: 4, minEntropy: 3 },
  { id: 'atlassian', kind: 'an Atlassian API token', regex: /\bATATT3[A-Za-z0-9_\-=]{186}/g, prefix: 6 },
  { id: 'sentry', kind: 'a Sentry token', regex: /\bsntry[us]_[a-zA-Z0-9+/=_-]{64,}/g, prefix: 6 },
  { id: 'newrelic', kind: 'a New Relic API key', regex: /\bNRAK-[A-Z0-9]{27}\b/g, prefix: 5 },
  { id: 'linear', kind: 'a Linear API key', regex: /\blin_api_[a-z0-9]{40}\b/gi, prefix: 8 },
  { id: 'pulumi', kind: 'a Pulumi token', regex: /\bpul-[a-f0-9]{40}\b/g, prefix: 4 },
  { id: 'postman', kind: 'a Postman API key', regex: /\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\b/gi, prefix: 5 },
  { id: '1password', kind: 'a 1Password service-account token', regex: /\bops_eyJ[a-zA-Z0-9+/]{250,}={0,3}/g, prefix: 4 },
];

/** Cheap pre-filter: a string without any of these anchors cannot match any provider pattern. */
const ANCHORS = /-----BEGIN|A3T|AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|gl(?:pat|ptt|rt|dt)-|xox|xapp-|hooks\.slack|[sr]k_(?:test|live|prod)_|AIza|eyJ|:\/\/|SG\.|npm_|sk-|hf_|hv[sb]\.|atlasv1|Q~|AccountKey=|do[por]_v1_|dapi|gls?[ac]_|dckr_pat_|shp(?:at|ca|pa|ss)_|pypi-|AGE-SECRET|LTAI|ATATT3|sntry|NRAK-|lin_api_|pul-|PMAK-|ops_eyJ/i;

/** Every provider secret in a text (validated, placeholders and references rejected). */
export function findProviderSecrets(text: string): ProviderMatch[] {
  if (text.length < 16 || !ANCHORS.test(text)) return [];
  const found: ProviderMatch[] = [];
  for (const p of PROVIDER_PATTERNS) {
    p.regex.lastIndex = 0;
    for (let m = p.regex.exec(text); m; m = p.regex.exec(text)) {
      if (m[0].length === 0) {
        p.regex.lastIndex++;
        continue;
      }
      const secret = p.group ? m[p.group] ?? '' : m[0];
      if (!secret) continue;
      if (p.validate && !p.validate(secret)) continue;
      if (p.minEntropy !== undefined && shannon(secret) <= p.minEntropy) continue;
      if (!p.group && (/example/i.test(secret) || /x{8,}|X{8,}|0{8,}/.test(secret))) continue; // documented samples
      const start = m.index;
      const end = m.index + m[0].length;
      if (found.some((f) => f.start < end && start < f.end)) continue; // an earlier, more specific pattern has it
      found.push({ id: p.id, kind: p.kind, secret, preview: preview(m[0], p.prefix), start, end });
    }
  }
  return found;
}

/** The public prefix plus at most 4 characters, then an ellipsis; nothing when the pattern has no public prefix. */
export function preview(token: string, prefix: number): string {
  if (prefix <= 0 || token.length < prefix + 12) return '';
  return `${token.slice(0, prefix + 4)}…`;
}
