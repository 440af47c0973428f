/**
 * The ext_proc messages: requests as the service definition decodes them (src/runtime/protos.ts: proto
 * field names, enums as names, bytes as Buffers, oneofs named), answers in the shape protobufjs encodes
 * without copying (proto field names, enums as numbers, bytes as Buffers). Only the fields the runtime
 * reads or writes are typed.
 */
export interface HeaderValue {
  key: string;
  value?: string;
  raw_value?: Buffer | Uint8Array;
}
export interface HeaderMap {
  headers?: HeaderValue[];
}
/** google.protobuf.Value: protobufjs ships struct.proto with camelCase field names, whatever keepCase says. */
export interface StructValue {
  stringValue?: string;
  kind?: string;
  [k: string]: unknown;
}
export interface Struct {
  fields?: Record<string, StructValue>;
}
export interface HttpHeaders {
  headers?: HeaderMap;
  end_of_stream?: boolean;
}
export interface HttpBody {
  body?: Buffer;
  end_of_stream?: boolean;
}
export interface ProcessingRequest {
  request?: 'request_headers' | 'response_headers' | 'request_body' | 'response_body' | 'request_trailers' | 'response_trailers';
  request_headers?: HttpHeaders;
  response_headers?: HttpHeaders;
  request_body?: HttpBody;
  response_body?: HttpBody;
  request_trailers?: { trailers?: HeaderMap };
  response_trailers?: { trailers?: HeaderMap };
  attributes?: Record<string, Struct>;
  observability_mode?: boolean;
}

export interface HeaderValueOption {
  header: { key: string; raw_value: Buffer };
}
export interface HeaderMutation {
  set_headers?: HeaderValueOption[];
  remove_headers?: string[];
}
export interface CommonResponse {
  header_mutation?: HeaderMutation;
}
export interface ImmediateResponse {
  /** envoy.type.v3.HttpStatus: its StatusCode enum's numbers are the HTTP codes. */
  status: { code: number };
  headers?: HeaderMutation;
  body?: Buffer;
  details?: string;
}
export interface ProcessingResponse {
  /** google.protobuf.Struct as protobufjs takes it: camelCase value fields. */
  dynamic_metadata?: { fields: Record<string, { structValue: { fields: Record<string, { stringValue: string }> } }> };
  request_headers?: { response?: CommonResponse };
  response_headers?: { response?: CommonResponse };
  request_body?: { response?: CommonResponse };
  response_body?: { response?: CommonResponse };
  request_trailers?: { header_mutation?: HeaderMutation };
  response_trailers?: { header_mutation?: HeaderMutation };
  immediate_response?: ImmediateResponse;
}
