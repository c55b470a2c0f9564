/**
 * The app shell: sign-in gate, navigation, live-stream indicator and the
 * hash routes of the screens. Any 401 after sign-in signs out with a notice.
 */
import { useEffect, useMemo, useState } from "react";
import { ApiClient } from "./api/client.js";
import { FleetStore } from "./api/fleet-store.js";
import { AppContext, type AppServices } from "./app/context.js";
import { useFleet, useHashPath } from "./app/hooks.js";
import { AgentDetail } from "./pages/AgentDetail.js";
import { Agents } from "./pages/Agents.js";
import { Audit } from "./pages/Audit.js";
import { ConfigurationDetail } from "./pages/ConfigurationDetail.js";
import { Configurations } from "./pages/Configurations.js";
import { Overview } from "./pages/Overview.js";
import { SignIn } from "./pages/SignIn.js";

const TOKEN_KEY = "opamp-ts.admin-token";

function routeView(path: string) {
  const parts = path
    .split("/")
    .filter((p) => p !== "")
    .map(decodeURIComponent);
  const [first, second] = parts;
  if (first === "agents" && second !== undefined) return <AgentDetail key={second} id={second} />;
  if (first === "agents") return <Agents />;
  if (first === "configurations" && second !== undefined)
    return <ConfigurationDetail key={second} id={second} />;
  if (first === "configurations") return <Configurations />;
  if (first === "audit") return <Audit />;
  return <Overview />;
}

const NAV: readonly [href: string, label: string, section: string][] = [
  ["#/", "Overview", ""],
  ["#/agents", "Agents", "agents"],
  ["#/configurations", "Configurations", "configurations"],
  ["#/audit", "Audit log", "audit"],
];

function LiveIndicator() {
  const { live } = useFleet();
  const text = live === "live" ? "Live" : live === "connecting" ? "Connecting…" : "Reconnecting…";
  return (
    <span className={`live live-${live}`} role="status" title="Updates from the event stream">
      {text}
    </span>
  );
}

function Shell({ services }: { services: AppServices }) {
  const path = useHashPath();
  const section = path.split("/")[1] ?? "";
  useEffect(() => {
    services.store.start();
    return () => services.store.stop();
  }, [services.store]);
  return (
    <AppContext.Provider value={services}>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">opamp-ts</span>
        <nav aria-label="Main">
          {NAV.map(([href, label, s]) => (
            <a key={href} href={href} aria-current={section === s ? "page" : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <LiveIndicator />
        <button type="button" className="secondary" onClick={() => services.signOut()}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {routeView(path)}
      </main>
    </AppContext.Provider>
  );
}

/** The root component. */
export function App() {
  const [token, setToken] = useState<string | undefined>(
    () => sessionStorage.getItem(TOKEN_KEY) ?? undefined,
  );
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const services = useMemo<AppServices | undefined>(() => {
    if (token === undefined) return undefined;
    const signOut = (reason?: string) => {
      sessionStorage.removeItem(TOKEN_KEY);
      setNotice(reason);
      setToken(undefined);
    };
    const api = new ApiClient(token, {
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        if (res.status === 401) signOut("The admin token is no longer accepted; sign in again.");
        return res;
      },
    });
    return { api, store: new FleetStore(api), signOut };
  }, [token]);
  if (services === undefined) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(api) => {
          sessionStorage.setItem(TOKEN_KEY, api.token);
          setNotice(undefined);
          setToken(api.token);
        }}
      />
    );
  }
  return <Shell services={services} />;
}
