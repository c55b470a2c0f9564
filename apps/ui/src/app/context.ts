/**
 * What every screen needs: the REST client, the live fleet store and a way
 * to sign out (also used when the token stops working).
 */
import { createContext, useContext } from "react";
import type { ApiClient } from "../api/client.js";
import type { FleetStore } from "../api/fleet-store.js";

/** The signed-in app's services. */
export interface AppServices {
  readonly api: ApiClient;
  readonly store: FleetStore;
  readonly signOut: (reason?: string) => void;
}

/** Provided by the shell once signed in. */
export const AppContext = createContext<AppServices | undefined>(undefined);

/** The services; only valid inside the signed-in shell. */
export function useApp(): AppServices {
  const services = useContext(AppContext);
  if (services === undefined) throw new Error("useApp outside the signed-in shell");
  return services;
}
