// A small typed journey for browser and mobile app developers, compiled by .ci/contract with
// `tsc --strict` against the types openapi-typescript generates from the schema. Fields every
// answer carries are required there, so this needs no `!` and no `?? []`.
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/ptbuilder-api";

type ClientProgram = components["schemas"]["ClientProgram"];

export function weekLines(program: ClientProgram): string[] {
  const heading = program.condition ? `${program.title} (${program.condition})` : program.title;
  const lines = [`${heading}: week ${program.week} of ${program.weeks}`];
  for (const block of program.blocks) {
    for (const item of block.items) {
      lines.push(`${item.exercise.name}: ${item.dose_text}`, ...item.progression);
    }
  }
  const stopIf = program.red_flags.map((flag) => flag.client_text);
  return stopIf.length ? [...lines, `Stop and call if: ${stopIf.join("; ")}`] : lines;
}

export async function thisWeek(baseUrl: string, username: string, password: string) {
  const anonymous = createClient<paths>({ baseUrl });
  const login = await anonymous.POST("/api/v1/auth/token/", { body: { username, password } });
  if (!login.data) throw new Error("log-in refused");
  const app = createClient<paths>({
    baseUrl,
    headers: { Authorization: `Token ${login.data.token}` },
  });
  const page = await app.GET("/api/v1/me/programs/", { params: { query: { page: 1 } } });
  if (!page.data) throw new Error("no programs");
  return page.data.results.flatMap(weekLines);
}

export async function renameProgram(baseUrl: string, token: string, id: number, title: string) {
  const api = createClient<paths>({ baseUrl, headers: { Authorization: `Token ${token}` } });
  const read = await api.GET("/api/v1/programs/{id}/", { params: { path: { id } } });
  const etag = read.response.headers.get("ETag");
  if (!read.data || etag === null) throw new Error("not readable");
  const written = await api.PATCH("/api/v1/programs/{id}/", {
    params: { path: { id }, header: { "If-Match": etag } },
    body: { title },
  });
  if (written.response.status === 412) return "changed elsewhere: read it again";
  if (!written.data) throw new Error("not written");
  return `${written.data.title}, version ${written.data.version}`;
}
