/**
 * The state both YAML forms (a new configuration, a new version) keep: the
 * text, its local parse problems merged with the line the server refused
 * (400 with a location), the error message and a busy flag while the
 * request runs.
 */
import { useMemo, useState } from "react";
import { ApiError, describeError } from "../api/errors.js";
import {
  checkYaml,
  mergeProblems,
  problemFromApiError,
  type YamlProblem,
} from "../lib/yaml-check.js";

/** What `useYamlForm` hands a form. */
export interface YamlForm {
  readonly body: string;
  /** Replaces the text without touching the server's last refusal. */
  readonly setBody: (body: string) => void;
  /** Props for `YamlEditor`: an edit drops the server's refusal of the old text. */
  readonly editor: {
    readonly value: string;
    readonly onChange: (value: string) => void;
    readonly problems: YamlProblem[];
  };
  readonly error: string | undefined;
  readonly busy: boolean;
  /** Runs the request; a failure becomes `error` and, when located, a problem at its line. */
  readonly submit: (request: () => Promise<void>) => Promise<void>;
}

/** State of a form whose main field is YAML sent to the control plane. */
export function useYamlForm(initialBody: string): YamlForm {
  const [body, setBody] = useState(initialBody);
  const [error, setError] = useState<string | undefined>(undefined);
  const [serverProblem, setServerProblem] = useState<YamlProblem | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const local = useMemo(() => checkYaml(body), [body]);
  const submit = async (request: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    setServerProblem(undefined);
    try {
      await request();
    } catch (err) {
      setError(describeError(err));
      if (err instanceof ApiError) setServerProblem(problemFromApiError(err));
    } finally {
      setBusy(false);
    }
  };
  return {
    body,
    setBody,
    editor: {
      value: body,
      onChange: (value) => {
        setBody(value);
        setServerProblem(undefined);
      },
      problems: mergeProblems(serverProblem, local),
    },
    error,
    busy,
    submit,
  };
}
