// The login session as the app sees it: who is logged in (from GET
// /api/v1/session), login, logout, and what happens when the server says the
// session is gone (any 401): back to the login page with a reason, the page
// one was on kept for after the login.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { api, errorMessage, setCsrfToken, setUnauthenticatedHandler, type Schemas } from "./api/client";

type Session = Schemas["Session"];

interface SessionState {
  session: Session | null;
  loading: boolean;
  // Why the last session ended, shown on the login page.
  endedBecause: string | null;
  login(name: string, password: string): Promise<string | null>;
  logout(): Promise<void>;
  changePassword(current: string, next: string): Promise<string | null>;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(null);
  const [loading, setLoading] = useState(true);
  const [endedBecause, setEndedBecause] = useState<string | null>(null);

  const adopt = useCallback((s: Session | null) => {
    setCsrfToken(s?.csrf_token ?? null);
    setSession(s);
  }, []);

  useEffect(() => {
    setUnauthenticatedHandler((code) => {
      adopt(null);
      setEndedBecause(
        code === "E_SESSION_EXPIRED" ? "Your session expired. Log in again." : "You are not logged in (or the session ended). Log in again.",
      );
    });
    let cancelled = false;
    api.GET("/api/v1/session").then(({ data }) => {
      if (cancelled) return;
      if (data) adopt(data);
      setEndedBecause(null);
      setLoading(false);
    }, () => {
      if (!cancelled) setLoading(false);
    });
    return () => {
      cancelled = true;
      setUnauthenticatedHandler(null);
    };
  }, [adopt]);

  const login = useCallback(async (name: string, password: string) => {
    try {
      const { data, error, response } = await api.POST("/api/v1/session", { body: { name, password } });
      if (data) {
        adopt(data);
        setEndedBecause(null);
        return null;
      }
      if (response.status === 401) return "Wrong name or password.";
      if (response.status === 429) return `Too many attempts. Try again in ${response.headers.get("Retry-After") ?? "a few"} seconds.`;
      return errorMessage(error, "Login failed");
    } catch (e) {
      return errorMessage(e, "The server did not answer");
    }
  }, [adopt]);

  const logout = useCallback(async () => {
    try {
      await api.DELETE("/api/v1/session");
    } finally {
      adopt(null);
      setEndedBecause("You logged out.");
    }
  }, [adopt]);

  const changePassword = useCallback(async (current: string, next: string) => {
    const { error, response } = await api.PUT("/api/v1/session/password", {
      body: { current_password: current, new_password: next },
    });
    if (response.ok) {
      const { data } = await api.GET("/api/v1/session");
      adopt(data ?? null);
      return null;
    }
    return errorMessage(error, "Changing the password failed");
  }, [adopt]);

  const value = useMemo(
    () => ({ session, loading, endedBecause, login, logout, changePassword }),
    [session, loading, endedBecause, login, logout, changePassword],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error("useSession outside SessionProvider");
  return s;
}

export function canTriage(session: Session | null): boolean {
  return session?.user.role === "admin" || session?.user.role === "analyst";
}
