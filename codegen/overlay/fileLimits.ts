/** Units and file types the upload pages share (not a family file: codegen/overlay/index.ts does not export it). */

export const MB = 1024 * 1024
/** The image pages' formats: JPG (JPEG), BMP, PNG. */
export const IMAGE_TYPES = ["jpg", "bmp", "png"]
