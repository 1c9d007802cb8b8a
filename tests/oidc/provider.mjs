// A real OpenID Provider for the console's single sign-on tests.
//
// panva's oidc-provider (a certified OP) with an in-memory store, a fresh RSA signing key and
// fresh cookie keys per run, and two hand-written interaction pages (login, consent) instead
// of the package's dev interactions. Started by tests/sso/oidc_provider.py as
//
//     node tests/oidc/provider.mjs CONFIG.json
//
// CONFIG.json: {"port": 0, "host": "127.0.0.1", "clients": [...], "accounts": [...]}
//   clients:  client_id, client_secret, redirect_uris (any other client metadata is passed on)
//   accounts: login, password, sub, claims (email, email_verified, name, groups, ...)
// Port 0 picks a free port. Once listening it prints exactly one line to stdout,
// `READY <issuer>`, and serves until SIGTERM/SIGINT. Everything else goes to stderr.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider, { errors } from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = config.accounts ?? [];
console.log = console.info = console.error; // oidc-provider's notices must not reach stdout

const esc = (value) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:sans-serif;max-width:28em;margin:3em auto}
label,input,button{display:block;margin:.4em 0}.error{color:#b00020}</style></head>
<body>${body}</body></html>`;
}

const cancelForm = (uid, label) => `<form method="post" action="/interaction/${uid}/abort">
<button type="submit">${label}</button></form>`;

function loginPage(uid, { login = '', error = '' } = {}) {
  return page('Sign in to Test IdP', `<h1>Sign in to Test IdP</h1>
${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
<label for="login">Username</label>
<input id="login" name="login" autocomplete="username" required autofocus value="${esc(login)}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button></form>
${cancelForm(uid, 'Cancel')}`);
}

function consentPage(uid, client, scopes) {
  const items = scopes.map((scope) => `<li>${esc(scope)}</li>`).join('');
  return page('Allow access?', `<h1>Allow access?</h1>
<p><strong>${esc(client.clientName ?? client.clientId)}</strong> asks for these scopes:</p>
<ul>${items}</ul>
<form method="post" action="/interaction/${uid}/confirm"><button type="submit">Allow</button></form>
${cancelForm(uid, 'Deny')}`);
}

// Signing key: a real RSA key made for this run (no "development-only keys" warning).
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwks = { keys: [{ ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256' }] };

const configuration = {
  clients: config.clients.map((client) => ({
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    // application_type defaults to "web", which accepts http:// redirect URIs for code flow
    ...client,
  })),
  jwks,
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  scopes: ['openid', 'email', 'profile', 'groups'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
    groups: ['groups'],
  },
  pkce: { required: () => true }, // S256 is the only method oidc-provider 9 supports
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: { // seconds; explicit values keep the default ttl functions' notices out of the log
    AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600,
    Interaction: 600, Grant: 3600, Session: 3600,
  },
  async findAccount(ctx, sub) {
    const account = accounts.find((candidate) => candidate.sub === sub);
    if (!account) return undefined;
    // oidc-provider keeps only the claims the granted scopes (and claims parameter) allow
    return { accountId: sub, claims: async () => ({ ...account.claims, sub }) };
  },
};

async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 64 * 1024) throw new Error('form too large');
  }
  return Object.fromEntries(new URLSearchParams(body));
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

function send(res, status, html) {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    // no form-action: it would also block the redirects back to the relying party
    'Content-Security-Policy': CSP,
  });
  res.end(html);
}

// The interaction routes: /interaction/<uid> (GET), .../login, .../confirm, .../abort (POST)
async function interaction(provider, req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, page('Error', '<h1>Interaction mismatch</h1>'));
  const { prompt, params } = details;

  if (req.method === 'GET' && !action) {
    if (prompt.name === 'login') return send(res, 200, loginPage(uid));
    const client = await provider.Client.find(params.client_id);
    return send(res, 200, consentPage(uid, client, String(params.scope).split(' ')));
  }
  if (req.method !== 'POST') return send(res, 405, page('Error', '<h1>Method not allowed</h1>'));

  if (action === 'abort') {
    const description = prompt.name === 'login'
      ? 'End-User cancelled the sign-in'
      : 'End-User denied access';
    const result = { error: 'access_denied', error_description: description };
    return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  }

  if (action === 'login' && prompt.name === 'login') {
    const form = await readForm(req);
    const account = accounts.find((a) => a.login === form.login && a.password === form.password);
    if (!account) {
      const again = { login: form.login ?? '', error: 'Wrong username or password' };
      return send(res, 200, loginPage(uid, again));
    }
    const result = { login: { accountId: account.sub } };
    return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  }

  if (action === 'confirm' && prompt.name === 'consent') {
    // A grant records what the End-User allowed; the consent prompt lists what is missing.
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
    const { missingOIDCScope, missingOIDCClaims } = prompt.details;
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
    if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
    const grantId = await grant.save();
    const result = { consent: details.grantId ? {} : { grantId } };
    return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
  }

  return send(res, 400, page('Error', `<h1>Unexpected step for prompt ${esc(prompt.name)}</h1>`));
}

const host = config.host ?? '127.0.0.1';
let handler = null; // set once the port, hence the issuer, is known
const server = createServer((req, res) => handler(req, res));
server.on('error', (err) => {
  console.error(`oidc test provider: cannot listen on ${host}:${config.port ?? 0}: ${err.message}`);
  process.exit(1);
});
server.listen(config.port ?? 0, host, () => {
  const issuer = `http://${host}:${server.address().port}`;
  const provider = new Provider(issuer, configuration);
  const callback = provider.callback();

  handler = async (req, res) => {
    const path = req.url.split('?')[0];
    const match = /^\/interaction\/([\w-]+)(?:\/(login|confirm|abort))?\/?$/.exec(path);
    if (!match) return path === '/favicon.ico' ? res.writeHead(204).end() : callback(req, res);
    try {
      await interaction(provider, req, res, match[1], match[2]);
    } catch (err) {
      if (!(err instanceof errors.SessionNotFound)) console.error(err);
      const title = err instanceof errors.SessionNotFound ? 'Session not found' : 'Server error';
      if (!res.headersSent) send(res, err.statusCode ?? 500, page(title, `<h1>${title}</h1>`));
    }
  };
  process.stdout.write(`READY ${issuer}\n`);
});

function shutdown() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
