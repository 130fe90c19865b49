// Files sent with messages: uploads with a progress bar, and downloads and image previews fetched with the bearer
// token as blobs. A token never goes into a URL (an <img src> or a link would need one there), so every byte is
// fetched by script and shown through a blob: URL of this page.

import { ApiError } from './api.js';

/** Image types shown inline; anything else (SVG included, which can carry script) is a download only. */
const PREVIEWED = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp']);

/**
 * Uploads `file`; `onProgress(fraction)` follows the bytes sent. Resolves with the attachment object, rejects with
 * ApiError. XMLHttpRequest rather than fetch: only it reports an upload's progress.
 */
export function uploadFile(file, token, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/v1/attachments?filename=${encodeURIComponent(file.name || 'file')}`);
    xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.responseType = 'json';
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener('load', () => {
      if (xhr.status === 201) {
        onProgress(1);
        resolve(xhr.response);
        return;
      }
      const error = (xhr.response && xhr.response.error) || {};
      const retryAfter = Number.parseInt(xhr.getResponseHeader('Retry-After') || '', 10);
      reject(new ApiError(xhr.status, error.code || `http_${xhr.status}`, error.message, error.field,
          Number.isFinite(retryAfter) ? retryAfter : null));
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, 'network', 'the upload did not reach the server')));
    xhr.addEventListener('abort', () => reject(new ApiError(0, 'aborted', 'the upload was cancelled')));
    xhr.send(file);
  });
}

/** "12 KB", "3.4 MB": a size for people. */
export function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** Blobs fetched for this page, by attachment id: each is fetched once while the page stays signed in. */
export class AttachmentBlobs {
  constructor(tokenOf) {
    this.tokenOf = tokenOf;
    this.urls = new Map(); // id -> Promise of an object URL
  }

  /** An object URL for the attachment's bytes, fetched with the token. */
  url(attachment) {
    let url = this.urls.get(attachment.id);
    if (!url) {
      url = fetch(`/v1/attachments/${encodeURIComponent(attachment.id)}`, {
        headers: { Authorization: `Bearer ${this.tokenOf()}` },
        cache: 'no-store',
      }).then(async (response) => {
        if (!response.ok) throw new ApiError(response.status, `http_${response.status}`, 'the file could not be fetched');
        return URL.createObjectURL(await response.blob());
      });
      url.catch(() => this.urls.delete(attachment.id));
      this.urls.set(attachment.id, url);
    }
    return url;
  }

  /** Lets every fetched blob go (on sign-out: another user must not find them in this page). */
  clear() {
    for (const url of this.urls.values()) url.then((u) => URL.revokeObjectURL(u), () => {});
    this.urls.clear();
  }

  /** Fills `list` with one entry per attachment: a preview for an image, a download button for every one. */
  fill(list, attachments) {
    const key = attachments.map((a) => a.id).join(',');
    if (list.dataset.ids === key) return;
    list.dataset.ids = key;
    list.replaceChildren(...attachments.map((attachment) => this.entry(attachment)));
    list.hidden = attachments.length === 0;
  }

  entry(attachment) {
    const item = document.createElement('li');
    item.className = 'attachment';
    item.dataset.attachmentId = attachment.id;
    if (PREVIEWED.has(attachment.contentType.split(';')[0].trim().toLowerCase())) {
      const image = document.createElement('img');
      image.className = 'attachment-preview';
      image.alt = attachment.filename;
      this.url(attachment).then((url) => { image.src = url; }, () => { image.alt = `${attachment.filename} (not available)`; });
      item.append(image);
    }
    const download = document.createElement('button');
    download.type = 'button';
    download.className = 'attachment-download quiet';
    download.textContent = `${attachment.filename} (${formatSize(attachment.size)})`;
    download.title = `Download ${attachment.filename}`;
    download.addEventListener('click', () => this.save(attachment, download));
    item.append(download);
    return item;
  }

  /** Saves the file under its name, through a link to its blob that is clicked once. */
  async save(attachment, button) {
    try {
      const url = await this.url(attachment);
      const link = document.createElement('a');
      link.href = url;
      link.download = attachment.filename;
      link.className = 'attachment-link';
      link.hidden = true;
      button.after(link);
      link.click();
      link.remove();
    } catch (error) {
      button.textContent = `${attachment.filename}: could not be downloaded`;
    }
  }
}
