// The reference implementation the benchmark compares the pipeline with: @imgly/background-removal-node
// 1.4.5, the npm package's own pipeline (sharp decode, bilinear resize, onnxruntime-node, PNG encode).
//   node reference.mjs MODEL ROUNDS PHOTO...   MODEL: medium | small
// Prints one line per photo per round, then: node: model=… photos=… first_call_ms=… ms_per_photo=… img_s=…
// (ms_per_photo: mean over the rounds after the first, i.e. with the session loaded, one photo at a time,
// as the package's removeBackground() is used).
import { removeBackground } from "@imgly/background-removal-node";
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { createRequire } from "node:module";
import path from "node:path";

const [model, roundsArg, ...photos] = process.argv.slice(2);
const rounds = Number(roundsArg);
const require = createRequire(import.meta.url);
const dist = path.dirname(require.resolve("@imgly/background-removal-node"));
const config = { model, publicPath: pathToFileURL(dist).href + "/", output: { format: "image/png" } };

let firstCallMs = 0;
const warm = [];
for (let round = 0; round < rounds; round++) {
  for (const photo of photos) {
    const bytes = await readFile(photo);
    const t0 = performance.now();
    const blob = await removeBackground(new Blob([bytes], { type: "image/jpeg" }), config);
    const png = Buffer.from(await blob.arrayBuffer());
    const ms = performance.now() - t0;
    if (round === 0 && firstCallMs === 0) firstCallMs = ms;
    else if (round > 0) warm.push(ms);
    console.log(`node: ${path.basename(photo)} round ${round} ${ms.toFixed(0)} ms, ${png.length} B PNG`);
  }
}
const mean = warm.reduce((a, b) => a + b, 0) / Math.max(1, warm.length);
console.log(`node: model=${model} photos=${warm.length} first_call_ms=${firstCallMs.toFixed(0)}`
  + ` ms_per_photo=${mean.toFixed(0)} img_s=${(1000 / mean).toFixed(3)}`);
