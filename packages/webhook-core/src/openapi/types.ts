/** A JSON Schema (draft 2020-12, as OpenAPI 3.1 uses it). */
export type JsonSchema = { [keyword: string]: unknown };

/** The parts of an OpenAPI 3.1 document this module writes (and the HTML renderer reads). */
export interface OpenApiDocument {
  openapi: "3.1.0";
  jsonSchemaDialect?: string;
  info: { title: string; version: string; description?: string };
  servers?: OpenApiServer[];
  tags?: Array<{ name: string; description?: string }>;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: Record<string, OpenApiResponse>;
    securitySchemes: Record<string, OpenApiSecurityScheme>;
  };
}

export interface OpenApiServer {
  url: string;
  description?: string;
}

export interface OpenApiSecurityScheme {
  type: "apiKey" | "http";
  description: string;
  name?: string;
  in?: "header" | "query" | "cookie";
  scheme?: string;
}

export interface OpenApiParameter {
  name: string;
  in: "header" | "query" | "path";
  required?: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface OpenApiResponse {
  description: string;
  headers?: Record<string, { description?: string; schema: JsonSchema }>;
  content?: Record<string, { schema: JsonSchema }>;
}

export interface OpenApiOperation {
  operationId: string;
  tags?: string[];
  summary: string;
  description?: string;
  parameters?: OpenApiParameter[];
  security?: Array<Record<string, string[]>>;
  requestBody?: { required: boolean; description?: string; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, OpenApiResponse | { $ref: string }>;
}
