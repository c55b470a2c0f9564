/**
 * Sign in with the admin token. The token is checked against the API and
 * kept in sessionStorage only, so it is gone when the browser tab closes.
 */
import { type FormEvent, useState } from "react";
import { ApiClient } from "../api/client.js";
import { describeError } from "../api/errors.js";
import { ErrorMessage } from "../components/common.js";

/** The sign-in screen; `onSignedIn` receives a verified client. */
export function SignIn({
  onSignedIn,
  notice,
}: {
  onSignedIn: (api: ApiClient) => void;
  notice?: string | undefined;
}) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (token.trim() === "") {
      setError("Enter the admin token.");
      return;
    }
    setBusy(true);
    setError(undefined);
    const api = new ApiClient(token.trim());
    try {
      await api.verify();
      onSignedIn(api);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="signin">
      <h1>opamp-ts fleet</h1>
      <form onSubmit={submit} aria-label="Sign in">
        {notice !== undefined ? <p className="notice">{notice}</p> : null}
        <label htmlFor="token">Admin token</label>
        <input
          id="token"
          type="password"
          autoComplete="current-password"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          // biome-ignore lint/a11y/noAutofocus: the only field of the page
          autoFocus
        />
        <p className="hint">
          Printed by <code>opamp-server</code> at start, or in <code>data/admin-token</code>. Kept
          for this browser tab only.
        </p>
        <ErrorMessage message={error} />
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
