import { createHash, randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Context } from 'hono';
import { attachments } from '@estateflow/db';
import type { AppEnv } from '../env.ts';
import { ApiError, invalid, notFound } from '../errors.ts';
import { authOf, everyone, requireEstate, Resource } from '../route-table.ts';
import { attachmentUrl, inAccessibleInstance } from '../services/attachment-refs.ts';
import { isUuid, param } from '../services/body.ts';
import { isStaff } from '../services/instance-access.ts';
import * as A from '../schemas/attachments.ts';

/** Accepted content types, each with the leading bytes its files start with (checked: a renamed .exe is refused). */
const allowed: Record<string, { magic: (b: Uint8Array) => boolean; inline: boolean }> = {};
const starts = (...sig: number[]) => (b: Uint8Array) => sig.every((x, i) => b[i] === x);
const ascii = (s: string, at = 0) => (b: Uint8Array) => [...s].every((ch, i) => b[at + i] === ch.charCodeAt(0));
const zip = starts(0x50, 0x4b, 0x03, 0x04);
const ole = starts(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1);
for (const [type, magic, inline] of [
  ['image/jpeg', starts(0xff, 0xd8, 0xff), true],
  ['image/png', starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), true],
  ['image/gif', ascii('GIF8'), true],
  ['image/webp', (b: Uint8Array) => ascii('RIFF')(b) && ascii('WEBP', 8)(b), true],
  ['image/heic', ascii('ftyp', 4), false],
  ['image/heif', ascii('ftyp', 4), false],
  ['application/pdf', ascii('%PDF-'), true],
  ['application/msword', ole, false],
  ['application/vnd.ms-excel', ole, false],
  ['application/vnd.ms-powerpoint', ole, false],
  ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', zip, false],
  ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', zip, false],
  ['application/vnd.openxmlformats-officedocument.presentationml.presentation', zip, false],
] as const) allowed[type] = { magic, inline };

/** The content types `POST /api/attachments` accepts (images, PDF, Office documents; no SVG or HTML, which could run script). */
export const allowedContentTypes: readonly string[] = Object.keys(allowed);

const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MiB`;

const tooLarge = (max: number): ApiError =>
  new ApiError('too-large', { zh: `附件过大：上限为 ${mib(max)}`, en: `The file is too large: the limit is ${mib(max)}` }, { field: 'file' });

/** The request body, read up to `max` bytes: a larger body is refused as soon as it passes the limit. */
async function readLimited(c: Context<AppEnv>, max: number): Promise<Uint8Array> {
  const declared = Number(c.req.header('content-length'));
  // multipart framing adds a few hundred bytes around the file
  if (Number.isFinite(declared) && declared > max + 64 * 1024) throw tooLarge(max);
  const stream = c.req.raw.body;
  if (!stream) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max + 64 * 1024) {
      await reader.cancel();
      throw tooLarge(max);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const ch of chunks) {
    out.set(ch, at);
    at += ch.byteLength;
  }
  return out;
}

const baseType = (t: string | undefined | null): string => (t ?? '').split(';')[0]!.trim().toLowerCase();

/** Name, type and bytes of the uploaded file: a multipart `file` part, or the raw body with `?name=`. */
async function uploaded(c: Context<AppEnv>, max: number): Promise<{ name: string; type: string; bytes: Uint8Array; estateId: string | undefined }> {
  const bodyType = c.req.header('content-type') ?? '';
  const raw = await readLimited(c, max);
  if (baseType(bodyType) === 'multipart/form-data') {
    let form: FormData;
    try {
      form = await new Response(new Blob([raw as Uint8Array<ArrayBuffer>]), { headers: { 'content-type': bodyType } }).formData();
    } catch (cause) {
      throw new ApiError('invalid-request', { zh: '无法解析 multipart 请求体', en: 'The multipart body could not be parsed' }, { field: 'file', cause });
    }
    const file = form.get('file');
    if (!file || typeof file === 'string') throw invalid('file', 'must be a file part of the multipart body', '必须是 multipart 请求体中的文件');
    const estateField = form.get('estateId');
    return {
      name: file.name || c.req.query('name') || 'file',
      type: baseType(file.type),
      bytes: new Uint8Array(await file.arrayBuffer()),
      estateId: typeof estateField === 'string' ? estateField : undefined,
    };
  }
  return { name: c.req.query('name') || 'file', type: baseType(bodyType), bytes: raw, estateId: undefined };
}

const attachmentView = (a: { id: string; name: string; size: number; contentType: string; sha256: string; createdAt: Date }) => ({
  id: a.id, url: attachmentUrl(a.id), name: a.name, size: a.size, contentType: a.contentType, sha256: a.sha256, createdAt: a.createdAt.toISOString(),
});

/** RFC 6266 `Content-Disposition` with an ASCII fallback and the UTF-8 name (Chinese file names). */
function disposition(kind: 'inline' | 'attachment', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export const attachmentRoutes = new Resource('/attachments', 'Attachments')
  .post(
    '/',
    {
      responses: { 201: A.attachment },
      errors: [413],
      summary: 'Upload a file (photo, PDF, Office document) to an estate: multipart `file` part or the raw body with `?name=`; content type checked against an allow list and the file\'s leading bytes (415), size limit (413, default 10 MiB); answers {id, url, name, size, contentType, sha256}. Form values store `url`. An Idempotency-Key replays a retried upload (the bytes are hashed).',
      access: everyone,
      estate: { from: 'query' },
      query: { estateId: { type: 'string' }, name: { type: 'string', description: 'file name for a raw body' } },
      requestContent: {
        'multipart/form-data': { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' }, estateId: { type: 'string' } } },
        'application/octet-stream': { type: 'string', format: 'binary', description: 'raw body; Content-Type is the file\'s type, e.g. image/jpeg' },
      },
    },
    async (c) => {
      const { db, config } = c.get('deps');
      const auth = authOf(c);
      const queryEstate = c.req.query('estateId');
      // an estate named in the query is checked before the body is read
      if (queryEstate) requireEstate(c, queryEstate);
      const file = await uploaded(c, config.attachmentMaxBytes);
      const estateId = queryEstate ?? file.estateId;
      requireEstate(c, estateId);
      if (file.bytes.byteLength > config.attachmentMaxBytes) throw tooLarge(config.attachmentMaxBytes);
      if (file.bytes.byteLength === 0) throw invalid('file', 'is empty', '为空文件');
      const kind = allowed[file.type];
      if (!kind) {
        throw new ApiError('unsupported-type', {
          zh: `不支持的文件类型“${file.type || '未知'}”：请上传图片（JPEG、PNG、GIF、WebP、HEIC）、PDF 或 Office 文档`,
          en: `Unsupported file type "${file.type || 'unknown'}": upload an image (JPEG, PNG, GIF, WebP, HEIC), a PDF or an Office document`,
        }, { field: 'file' });
      }
      if (!kind.magic(file.bytes)) {
        throw new ApiError('unsupported-type', {
          zh: `文件内容与类型“${file.type}”不符`,
          en: `The file's content does not match its type "${file.type}"`,
        }, { field: 'file' });
      }
      // no path separators or control characters in a stored name
      const name = [...file.name.replace(/[\\/]/g, '_')].filter((ch) => ch.charCodeAt(0) >= 0x20).join('').slice(0, 200) || 'file';
      const [row] = await db.insert(attachments).values({
        tenantId: auth.tenantId, id: randomUUID(), estateId: estateId!, name, contentType: file.type, size: file.bytes.byteLength,
        sha256: createHash('sha256').update(file.bytes).digest('hex'), data: file.bytes, createdAt: config.now(), createdBy: auth.userId,
      }).returning({ id: attachments.id, name: attachments.name, size: attachments.size, contentType: attachments.contentType, sha256: attachments.sha256, createdAt: attachments.createdAt });
      return c.json(attachmentView(row!), 201);
    },
  )
  .get(
    '/:id',
    {
      responses: { 200: 'binary', 304: null },
      summary: 'The bytes of an attachment with its Content-Type, Content-Disposition (file name) and ETag; staff of its estate, and residents for the files they uploaded or that a request they may see names (other residents: 403; other estates and companies: 404)',
      access: everyone,
      estate: { from: 'param', param: 'id' },
      params: { id: 'attachment' },
    },
    async (c) => {
      const id = param(c, 'id');
      if (!isUuid(id)) throw notFound('attachment', id);
      const [row] = await c.get('deps').db.select().from(attachments).where(and(eq(attachments.tenantId, authOf(c).tenantId), eq(attachments.id, id)));
      if (!row) throw notFound('attachment', id);
      const auth = authOf(c);
      // anyone reads what they uploaded; otherwise a file is read through a request it is attached to, by who may see that request
      const role = requireEstate(c, row.estateId);
      if (row.createdBy !== auth.userId && !isStaff(role) && !(await inAccessibleInstance(c.get('deps').db, auth, row.estateId, id))) {
        throw new ApiError('forbidden', {
          zh: '住户只能查看自己上传的附件，以及自己能查看的事项（自己提交的和自家房屋全户可见的）中的附件',
          en: 'Residents see the files they uploaded and those of the requests they may see (their own, and their household\'s shared ones)',
        });
      }
      const etag = `"${row.sha256}"`;
      const headers: Record<string, string> = {
        'content-type': row.contentType,
        'content-disposition': disposition(allowed[row.contentType]?.inline ? 'inline' : 'attachment', row.name),
        etag,
        // an id names immutable bytes; private: only for this signed-in user's browser
        'cache-control': 'private, max-age=31536000, immutable',
        'x-content-type-options': 'nosniff',
      };
      if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
      const bytes = row.data instanceof Uint8Array ? row.data : new Uint8Array(row.data as ArrayBufferLike);
      return c.body(bytes as Uint8Array<ArrayBuffer>, 200, { ...headers, 'content-length': String(bytes.byteLength) });
    },
  );
