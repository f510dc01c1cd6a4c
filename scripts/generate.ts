// The generator lives in codegen/generator/ (main.ts is its command line); this path is kept for the name generated files cite.
import "../codegen/generator/main.js"
