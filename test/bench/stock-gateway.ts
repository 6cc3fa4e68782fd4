// The stock @apollo/gateway with its default settings, as a benchmark peer. The one addition is
// passing the caller's Authorization header on, without which no subgraph would answer.
import fs from "node:fs";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";

const [supergraphPath, port] = process.argv.slice(2);
const gateway = new ApolloGateway({
  supergraphSdl: fs.readFileSync(supergraphPath!, "utf8"),
  buildService: ({ url }) =>
    new RemoteGraphQLDataSource<{ authorization?: string }>({
      url,
      willSendRequest({ request, context }) {
        if (context.authorization) request.http?.headers.set("authorization", context.authorization);
      },
    }),
});
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(port), host: "127.0.0.1" },
  context: async ({ req }) => ({ authorization: req.headers.authorization }),
});
console.log(`stock @apollo/gateway at ${url}`);
