import { type CelInput, type CelMap, celFunc, celList, celMap, celMethod, CelScalar, mapType } from '@bufbuild/cel';

/** A named string format of the Kubernetes format library: the problems with a value, none when it is valid. */
type FormatCheck = (value: string) => string[];

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;

/** The formats the vendored CRDs' rules name (`format.<name>()`), with Kubernetes' own messages. */
const FORMATS: Record<string, FormatCheck> = {
  dns1123Label: named(
    63,
    DNS1123_LABEL,
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  ),
  dns1123Subdomain: named(
    253,
    DNS1123_SUBDOMAIN,
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ),
};

function named(maxLength: number, pattern: string, message: string): FormatCheck {
  const re = new RegExp(`^${pattern}$`);
  return (value) => [
    ...(value.length > maxLength ? [`must be no more than ${maxLength} characters`] : []),
    ...(re.test(value) ? [] : [message]),
  ];
}

/*
 * @bufbuild/cel has no opaque or optional types, so a Format and an optional are maps this module made,
 * recognised by identity. An optional is `{}` when empty and `{value: x}` when set; like cel-go's optional,
 * it never equals null, and two empty optionals are equal.
 */
const formats = new WeakMap<CelMap, FormatCheck>();
const optionals = new WeakSet<CelMap>();

const MAP = mapType(CelScalar.STRING, CelScalar.DYN);
const { BOOL, DYN, STRING } = CelScalar;

function formatValue(check: FormatCheck): CelMap {
  const value = celMap(new Map());
  formats.set(value, check);
  return value;
}

function optional(value?: CelInput): CelMap {
  const opt = celMap(new Map<string, CelInput>(value === undefined ? [] : [['value', value]]));
  optionals.add(opt);
  return opt;
}

function asOptional(value: CelMap): CelMap {
  if (!optionals.has(value)) throw new Error('no such overload: not an optional value');
  return value;
}

/**
 * The Kubernetes format library as far as the vendored CRDs use it: `format.<name>()` for each name in
 * {@link FORMATS}, `<format>.validate(string)` returning `optional.none()` for a valid value and
 * `optional.of([problems...])` otherwise, and `hasValue()` / `value()` on that optional.
 */
export const formatLibrary = [
  ...Object.entries(FORMATS).map(([name, check]) => celFunc(`format.${name}`, [], MAP, () => formatValue(check))),
  celMethod('validate', MAP, [STRING], MAP, function (value) {
    const check = formats.get(this);
    if (!check) throw new Error('no such overload: validate() needs a format.<name>() value');
    const problems = check(value);
    return problems.length === 0 ? optional() : optional(celList(problems));
  }),
  celMethod('hasValue', MAP, [], BOOL, function () {
    return asOptional(this).size > 0;
  }),
  celMethod('value', MAP, [], DYN, function () {
    const value = asOptional(this).get('value');
    if (value === undefined) throw new Error('optional.none() dereference');
    return value;
  }),
];
