// Public pages, readable without signing in: privacy policy, terms, data deletion.
// They must match what the system does (ARCHITECTURE §1, retention windows enforced by TTL).
import { CONTACT_EMAIL, CONTACT_IS_PLACEHOLDER, OPERATOR_NAME } from "../config";
import { Page } from "../ui";

const UPDATED = "2025-11-24";

function Contact() {
  return (
    <>
      <a href={`mailto:${CONTACT_EMAIL}`}>{CONTACT_EMAIL}</a>
      {CONTACT_IS_PLACEHOLDER && <span class="tag warn">placeholder: the operator sets the real address</span>}
    </>
  );
}

export function Privacy() {
  return (
    <Page title="Privacy policy" lede={`Last updated ${UPDATED}. CreatorDeck is run by ${OPERATOR_NAME}.`}>
      <article class="prose">
        <h2>What CreatorDeck is</h2>
        <p>
          CreatorDeck lets creators and the teams they invite connect their own TikTok, Instagram, Facebook Page,
          Threads and YouTube accounts, see how their content performs over time, and schedule posts. Workspaces are
          invite-only. We do not sell data, show ads, or use third-party trackers, analytics or fonts: this site sets
          one cookie, the sign-in session.
        </p>

        <h2>What we hold</h2>
        <ul>
          <li>
            <strong>Your account</strong>: name, email, role, a salted password hash (never the password), and your
            sessions and API keys (stored only as hashes).
          </li>
          <li>
            <strong>Connected accounts</strong>: the access and refresh tokens a platform gives us when you connect,
            the scopes you granted, and the account's public profile.
          </li>
          <li>
            <strong>Metrics</strong>: snapshots of follower counts, your posts' counters (views, likes, comments,
            shares) and, where the platform offers it, aggregated audience demographics. Never your followers'
            identities or private messages.
          </li>
          <li>
            <strong>Posts you schedule</strong>: captions, options and the media you upload.
          </li>
          <li>
            <strong>Audit log</strong>: sign-ins, invitations, role changes and key changes, with the IP address
            and browser they came from, so admins can see who did what.
          </li>
        </ul>

        <h2>Least privilege</h2>
        <p>
          We ask each platform only for the scopes a feature needs (reading your profile and post statistics, and
          publishing only if you use scheduling), and we record which scopes you granted. Inside a workspace, roles
          decide who may see and do what, and API keys carry only the scopes chosen for them.
        </p>

        <h2>How tokens are protected</h2>
        <p>
          Platform tokens are encrypted before they are stored, with AES-256-GCM under a data key from AWS Key
          Management Service (KMS), bound to your workspace and connection. The key that protects them is separate
          from the one that encrypts our databases at rest, is rotated, and only the parts of the service that call
          the platforms may use it. Tokens are never written to logs; our logs redact token-shaped values.
        </p>

        <h2>How long we keep it</h2>
        <p>Retention is enforced by the database itself (DynamoDB time-to-live and S3 lifecycle rules), not by hand:</p>
        <table class="retention">
          <caption>Retention windows</caption>
          <thead>
            <tr>
              <th scope="col">Data</th>
              <th scope="col">Kept for</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">Metrics snapshots</th>
              <td>24 months by default, then deleted</td>
            </tr>
            <tr>
              <th scope="row">Audit log entries</th>
              <td>1 year</td>
            </tr>
            <tr>
              <th scope="row">Invitations</th>
              <td>7 days (unused links stop working)</td>
            </tr>
            <tr>
              <th scope="row">Password reset links</th>
              <td>1 hour</td>
            </tr>
            <tr>
              <th scope="row">Data exports</th>
              <td>1 day, downloadable by a short-lived link</td>
            </tr>
            <tr>
              <th scope="row">Uploaded media</th>
              <td>7 days after the post is published</td>
            </tr>
            <tr>
              <th scope="row">Sessions</th>
              <td>30 days at most; signing out ends one at once</td>
            </tr>
            <tr>
              <th scope="row">Account, connected accounts and their tokens</th>
              <td>until you disconnect them or ask for deletion</td>
            </tr>
          </tbody>
        </table>
        <p>Expired data is removed within a few days of expiring (the database deletes it in the background) and is never shown once it has expired.</p>

        <h2>Deletion and export</h2>
        <p>
          You can ask for everything held about you to be deleted or exported. Deletion requests also arrive from
          the platforms: Meta's data-deletion and deauthorization callbacks (when you remove CreatorDeck from your
          Facebook, Instagram or Threads settings) and TikTok's deauthorization notice (when you remove it from
          TikTok). Each request gets a confirmation code and a status page; we revoke our access at the platform and
          delete every item and file tied to you. See <a href="/data-deletion">data deletion</a>.
        </p>

        <h2>Where it is processed</h2>
        <p>
          CreatorDeck runs on Amazon Web Services. Data is encrypted in transit (HTTPS) and at rest, with
          point-in-time recovery for our tables, which keeps backups for up to 35 days.
        </p>

        <h2>Contact</h2>
        <p>
          Questions, requests and complaints: <Contact />. You may also complain to your data-protection authority.
        </p>
      </article>
    </Page>
  );
}

export function Terms() {
  return (
    <Page title="Terms of service" lede={`Last updated ${UPDATED}. These terms are between you and ${OPERATOR_NAME}.`}>
      <article class="prose">
        <h2>The service</h2>
        <p>
          CreatorDeck shows analytics for social accounts you connect, lets your team work on them under roles, and
          schedules posts. Workspaces are invite-only; the admin who invited you decides your role and may remove you.
        </p>
        <h2>Your accounts and content</h2>
        <ul>
          <li>Connect only accounts you own or are authorised to manage.</li>
          <li>
            You keep all rights to your content. You let us store and send it only to show you your analytics and to
            publish what you schedule, when you schedule it.
          </li>
          <li>You also follow each platform's own terms (TikTok, Meta, YouTube) for what you publish.</li>
        </ul>
        <h2>Security</h2>
        <ul>
          <li>Keep your password and API keys secret; revoke a key you no longer use.</li>
          <li>Tell us at once if you think someone used your account: <Contact />.</li>
          <li>Do not probe, overload or work around the service's limits or other workspaces' data.</li>
        </ul>
        <h2>Ending</h2>
        <p>
          You may disconnect accounts, leave a workspace or ask for your data to be deleted at any time (see{" "}
          <a href="/data-deletion">data deletion</a>). We may suspend access that breaks these terms. What we keep and
          for how long is in the <a href="/privacy">privacy policy</a>.
        </p>
        <h2>No warranty</h2>
        <p>
          Platform figures come from the platforms and may be late, revised or unavailable. The service is provided as
          is, to the extent the law allows; nothing here limits rights you have by law.
        </p>
        <h2>Changes</h2>
        <p>We will announce material changes to these terms in the app before they take effect.</p>
      </article>
    </Page>
  );
}

export function DataDeletion() {
  return (
    <Page title="Data deletion" lede="How to have CreatorDeck delete the data it holds about you.">
      <article class="prose">
        <h2>What is deleted</h2>
        <p>
          Your connected accounts' tokens (revoked at the platform first), every metrics snapshot, post and uploaded
          file tied to you, and your account. Audit entries that must show what happened in a workspace keep only an
          identifier, and expire after one year like all audit entries.
        </p>

        <h2>Ways to ask</h2>
        <ol>
          <li>
            <strong>In CreatorDeck.</strong> Signed in, open <a href="/account">Account</a>, “Your data”: export
            your data, delete the data of the accounts you connected, or delete your account. You get a
            confirmation code and a status page at once. A workspace admin can do the same for a member on Team
            &amp; roles.
          </li>
          <li>
            <strong>Disconnect on the platform.</strong> Removing CreatorDeck from your TikTok, Facebook, Instagram
            or Threads settings makes the platform notify us (TikTok's deauthorization webhook, Meta's data-deletion
            and deauthorize callbacks). We then delete that account's data without you doing anything else. For a
            Meta request, the platform shows you a confirmation code and a link to its status.
          </li>
          <li>
            <strong>Email us</strong> at <Contact /> from the address you sign in with, saying which data (one
            connected account, or everything) you want deleted or exported. We answer with a confirmation code.
          </li>
          <li>
            <strong>Ask your workspace admin</strong> to remove you: that signs you out everywhere and revokes your API
            keys at once. It does not by itself delete connected accounts' data: delete it first (as above), or ask us.
          </li>
        </ol>

        <h2>What happens next</h2>
        <ul>
          <li>Each request gets a confirmation code and a status page that says when it is done.</li>
          <li>Deletion normally completes within minutes and always within 30 days.</li>
          <li>
            Encrypted backups (point-in-time recovery) age out within 35 days; data is never restored from them into
            the service after you asked for deletion.
          </li>
          <li>An export is kept for one day; its download link works for one hour, and a new export can be built at any time.</li>
        </ul>
      </article>
    </Page>
  );
}
