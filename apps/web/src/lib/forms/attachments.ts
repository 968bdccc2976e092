import { getContext, setContext } from 'svelte';
import type { Text } from '$lib/i18n/index.svelte.ts';

/** What `POST /api/attachments` answers; form values keep only `url` (`/api/attachments/<id>`). */
export type UploadedAttachment = { id: string; url: string; name: string; size: number; contentType: string; sha256?: string };

export const attachmentPrefix = '/api/attachments/';
export const isAttachmentRef = (v: unknown): v is string => typeof v === 'string' && v.startsWith(attachmentPrefix);

/** An upload the server refused or that never arrived, with its zh/en message. */
export class UploadError extends Error {
  constructor(
    readonly status: number,
    readonly text: Text,
  ) {
    super(text.en);
  }
}

const ESTATE_KEY = Symbol('ef-form-estate');

/** Tells the file widgets inside a form which estate their uploads belong to. */
export function setFormEstate(get: () => string | undefined): void {
  setContext(ESTATE_KEY, get);
}
export function formEstate(): string | undefined {
  return getContext<(() => string | undefined) | undefined>(ESTATE_KEY)?.();
}

/**
 * Uploads one file as the raw request body (`?estateId=&name=`), reporting progress 0…1; resolves
 * with the stored attachment or rejects with an `UploadError` carrying the server's zh/en message.
 */
export function uploadAttachment(estateId: string, file: Blob & { name?: string }, onProgress: (fraction: number) => void, signal?: AbortSignal): Promise<UploadedAttachment> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/attachments?estateId=${encodeURIComponent(estateId)}&name=${encodeURIComponent(file.name ?? 'file')}`);
    xhr.setRequestHeader('content-type', file.type || 'application/octet-stream');
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      if (xhr.status === 201 || xhr.status === 200) return resolve(body as UploadedAttachment);
      const message = (body as { error?: { message?: Text } } | undefined)?.error?.message;
      reject(new UploadError(xhr.status, message ?? { zh: `上传失败（${xhr.status}）`, en: `Upload failed (${xhr.status})` }));
    };
    xhr.onerror = () => reject(new UploadError(0, { zh: '网络错误，上传失败', en: 'Network error: the upload failed' }));
    xhr.onabort = () => reject(new UploadError(0, { zh: '已取消上传', en: 'Upload cancelled' }));
    signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(file);
  });
}

/**
 * A large photo straight from a phone camera, scaled to at most `maxSide` pixels and re-encoded
 * as JPEG in the browser (keeps uploads well under the server's limit); other files unchanged.
 */
export async function shrinkPhoto(file: File, maxBytes = 4 * 1024 * 1024, maxSide = 2560): Promise<File> {
  if (file.size <= maxBytes || !/^image\/(jpeg|png|webp)$/.test(file.type) || typeof createImageBitmap === 'undefined') return file;
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob | null>((r) => canvas.toBlob(r, 'image/jpeg', 0.85));
    if (!blob || blob.size >= file.size) return file;
    return new File([blob], file.name.replace(/\.\w+$/, '') + '.jpg', { type: 'image/jpeg' });
  } catch {
    return file;
  }
}
