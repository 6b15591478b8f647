// Validates EPCIS documents against GS1's EPCIS 2.0 JSON Schema (vendored in
// tests/fixtures/gs1-epcis/schema), as GS1's own validate.sh does: ajv with ajv-formats, every
// child schema added by its $id, formats checked.
// Usage: node epcis-schema.mjs SCHEMA_DIR DOCUMENT...   prints "VALID name" or the errors
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const [dir, ...documents] = process.argv.slice(2);
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const files = [
  ...readdirSync(join(dir, "schemas")).map((f) => join(dir, "schemas", f)),
  ...readdirSync(dir).filter((f) => f.endsWith(".json")).map((f) => join(dir, f)),
];
for (const file of files) {
  if (!file.endsWith("EPCIS-JSON-Schema-root.json")) ajv.addSchema(JSON.parse(readFileSync(file, "utf8")));
}
const validate = ajv.compile(JSON.parse(readFileSync(join(dir, "EPCIS-JSON-Schema-root.json"), "utf8")));
let failed = false;
for (const document of documents) {
  if (validate(JSON.parse(readFileSync(document, "utf8")))) {
    console.log(`VALID ${document}`);
  } else {
    failed = true;
    console.log(`INVALID ${document}: ${JSON.stringify(validate.errors, null, 1)}`);
  }
}
process.exit(failed ? 1 : 0);
