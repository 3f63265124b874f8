// A user with a one-time password (the first admin) must set their own
// before anything else; the server refuses every other call until then.
import { useState, type FormEvent } from "react";
import { useSession } from "../session";

export function ChangePasswordPage() {
  const { changePassword, logout, session } = useSession();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [again, setAgain] = useState("");
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (next !== again) return setError("The new passwords differ.");
    setError(await changePassword(current, next));
  };
  return (
    <main className="login" id="main">
      <form onSubmit={submit} aria-labelledby="pw-title">
        <h1 id="pw-title">Choose your password</h1>
        <p className="muted">{session?.user.name} logged in with a one-time password; set your own (at least 12 characters).</p>
        {error && <p className="error" role="alert">{error}</p>}
        <label>
          One-time password
          <input type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />
        </label>
        <label>
          New password
          <input type="password" autoComplete="new-password" minLength={12} value={next} onChange={(e) => setNext(e.target.value)} required />
        </label>
        <label>
          New password again
          <input type="password" autoComplete="new-password" minLength={12} value={again} onChange={(e) => setAgain(e.target.value)} required />
        </label>
        <button type="submit" className="primary">Set password</button>
        <button type="button" onClick={() => void logout()}>Log out</button>
      </form>
    </main>
  );
}
