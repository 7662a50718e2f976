/**
 * Publishing a release from the browser (issue 13 item 4), staff only: the
 * version, the "Dettagli aggiornamento" link, whether it needs a confirmation
 * code, the desktop package and the mobile package (APK). Each file is hashed
 * in the page, uploaded straight to S3 with the presigned URLs of the staff
 * uploads route (a progress bar per package, failed parts retried), then the
 * staff publish route verifies sizes and hashes from the stored bytes and
 * publishes — the same domain functions as the build pipeline's routes.
 */
import { useRef, useState } from 'preact/hooks';
import { type Problem, ProblemBanner } from '../common/problems';
import { ApiError, type PublishedRelease, useConsoleApi } from './api';
import { Forbidden } from './common';
import { Field, Form, useAction } from './forms';
import { href } from './route';
import { type ConsoleTextKey, useCT } from './texts';
import { hashFile, PackageUpload, PartFailedError } from './upload';

type Kind = 'desktop' | 'mobile';
const KINDS: readonly Kind[] = ['desktop', 'mobile'];

/** Where one package is: hashing, uploading (bytes sent), stored, or stopped on a failed part. */
type Progress = { step: 'idle' | 'hashing' | 'uploading' | 'stored' | 'failed'; done: number; total: number };
const IDLE: Progress = { step: 'idle', done: 0, total: 0 };
/** A staged upload whose URLs expire sooner than this is started again rather than resumed. */
const RESUME_MARGIN_MS = 5 * 60 * 1000;
/** Publish refusals about the stored bytes: Riprova must upload the packages again, not re-verify the same objects. */
const STALE_UPLOAD_CODES = new Set([
  'PACKAGE_NOT_UPLOADED',
  'UPLOAD_INCOMPLETE',
  'PACKAGE_SIZE_MISMATCH',
  'PACKAGE_HASH_MISMATCH',
  'UPLOAD_KEY_MISMATCH',
]);

export function PublishRelease(props: { role?: 'staff' | 'agent' }) {
  const { t } = useCT();
  const api = useConsoleApi();
  const action = useAction();
  const [version, setVersion] = useState('');
  const [notesUrl, setNotesUrl] = useState('');
  const [requiresCode, setRequiresCode] = useState(false);
  const [files, setFiles] = useState<Partial<Record<Kind, File>>>({});
  const [missing, setMissing] = useState<Partial<Record<Kind, boolean>>>({});
  const [progress, setProgress] = useState<Record<Kind, Progress>>({ desktop: IDLE, mobile: IDLE });
  const [uploadProblem, setUploadProblem] = useState<Problem>();
  const [published, setPublished] = useState<PublishedRelease>();
  // Uploads survive a failed part: Riprova sends only what is missing, with the same staged uploads.
  const uploads = useRef<Partial<Record<Kind, PackageUpload>>>({});
  const [running, setRunning] = useState(false);

  if (props.role === 'agent' || action.forbidden) return <Forbidden />;

  const track = (kind: Kind, p: Progress) => setProgress((all) => ({ ...all, [kind]: p }));

  /** Hash and start one package (once per file), then send its missing parts. */
  const send = async (kind: Kind, file: File): Promise<PackageUpload | undefined> => {
    let upload = uploads.current[kind];
    const reusable = upload && upload.file === file && upload.version === version.trim();
    if (!upload || !reusable || upload.expiresWithin(RESUME_MARGIN_MS)) {
      // The same file for the same version keeps its hash; only its URLs are new.
      let sha256 = reusable ? upload?.sha256 : undefined;
      if (!sha256) {
        track(kind, { step: 'hashing', done: 0, total: file.size });
        sha256 = await hashFile(file, (done) => track(kind, { step: 'hashing', done, total: file.size }));
      }
      const staged = await action.run(() => api.startUpload(version.trim(), { kind, filename: file.name, size: file.size, sha256 }), {
        fieldOf: { RELEASE_EXISTS: 'version' },
      });
      if (!staged) {
        track(kind, IDLE);
        return undefined;
      }
      upload = new PackageUpload(version.trim(), file, sha256, staged);
      uploads.current[kind] = upload;
    }
    track(kind, { step: 'uploading', done: upload.sent, total: file.size });
    try {
      await upload.upload((sent) => track(kind, { step: 'uploading', done: sent, total: file.size }));
    } catch (error) {
      track(kind, { step: 'failed', done: upload.sent, total: file.size });
      throw error;
    }
    track(kind, { step: 'stored', done: file.size, total: file.size });
    return upload;
  };

  const publish = async () => {
    setPublished(undefined);
    setUploadProblem(undefined);
    action.clear();
    const absent = { desktop: !files.desktop, mobile: !files.mobile };
    setMissing(absent);
    if (absent.desktop || absent.mobile) {
      document.getElementById(`publish-${absent.desktop ? 'desktop' : 'mobile'}`)?.focus();
      return;
    }
    setRunning(true);
    try {
      const done: Partial<Record<Kind, PackageUpload>> = {};
      for (const kind of KINDS) {
        const upload = await send(kind, files[kind]!);
        if (!upload) return;
        done[kind] = upload;
      }
      const release = await action.run(
        () =>
          api
            .publish({
              version: version.trim(),
              notesUrl: notesUrl.trim(),
              requiresConfirmationCode: requiresCode,
              desktop: done.desktop!.ref(),
              mobile: done.mobile!.ref(),
            })
            .catch((error: unknown) => {
              if (error instanceof ApiError && STALE_UPLOAD_CODES.has(error.code)) uploads.current = {};
              throw error;
            }),
        { fieldOf: { RELEASE_EXISTS: 'version' } },
      );
      if (release) {
        setPublished(release);
        uploads.current = {};
      }
    } catch (error) {
      // A part that failed its tries can be resumed; anything else (a file no longer readable…) cannot.
      setUploadProblem(
        error instanceof PartFailedError
          ? { kind: 'error', code: 'UPLOAD_FAILED', text: t('publish.partFailed', { part: error.partNumber }) }
          : { kind: 'error', code: 'UPLOAD_FAILED', text: t('publish.readFailed') },
      );
      if (!(error instanceof PartFailedError)) uploads.current = {};
    } finally {
      setRunning(false);
    }
  };

  const pickFile = (kind: Kind) => (e: Event) => {
    const file = (e.currentTarget as HTMLInputElement).files?.[0];
    setFiles((f) => ({ ...f, [kind]: file }));
    setMissing((m) => ({ ...m, [kind]: false }));
    delete uploads.current[kind];
    track(kind, IDLE);
  };

  return (
    <section class="panel" aria-labelledby="publish-h">
      <h2 id="publish-h">{t('publish.title')}</h2>
      <p>
        <a href={href({ page: 'releases' })}>{t('rollout.back')}</a>
      </p>
      <p>{t('publish.intro')}</p>
      {published && (
        <p class="note-ok" role="status">
          {t('publish.done', { version: published.version, catalog: published.catalogVersion })}{' '}
          <a href={href({ page: 'rollout', version: published.version })}>{t('releases.open')}</a>
        </p>
      )}
      <Form labelledBy="publish-h" errors={action.fieldErrors} onSubmit={() => void publish()}>
        <Field
          name="version"
          label={t('publish.version')}
          hint={t('publish.versionHint')}
          value={version}
          onInput={setVersion}
          errors={action.fieldErrors}
          maxLength={12}
        />
        <Field
          name="notesUrl"
          type="url"
          label={t('publish.notesUrl')}
          hint={t('publish.notesUrlHint')}
          value={notesUrl}
          onInput={setNotesUrl}
          errors={action.fieldErrors}
          maxLength={2048}
        />
        <div class="field checkbox">
          <input id="publish-code" type="checkbox" checked={requiresCode} onChange={(e) => setRequiresCode(e.currentTarget.checked)} />
          <label for="publish-code">{t('publish.requiresCode')}</label>
        </div>
        {KINDS.map((kind) => (
          <PackageField
            key={kind}
            kind={kind}
            file={files[kind]}
            missing={missing[kind] ?? false}
            progress={progress[kind]}
            disabled={running}
            onChange={pickFile(kind)}
          />
        ))}
        {action.problem && <ProblemBanner problem={action.problem} />}
        {uploadProblem && <ProblemBanner problem={uploadProblem} />}
        <button type="submit" class="primary" disabled={running}>
          {uploadProblem ? t('publish.retry') : t('publish.submit')}
        </button>
        {running && (
          <p class="busy" role="status">
            {t('publish.running')}
          </p>
        )}
      </Form>
    </section>
  );
}

const STEP_TEXT: Record<Progress['step'], ConsoleTextKey> = {
  idle: 'publish.step.idle',
  hashing: 'publish.step.hashing',
  uploading: 'publish.step.uploading',
  stored: 'publish.step.stored',
  failed: 'publish.step.failed',
};

function PackageField(props: {
  kind: Kind;
  file?: File;
  missing: boolean;
  progress: Progress;
  disabled: boolean;
  onChange: (e: Event) => void;
}) {
  const { t } = useCT();
  const { kind, progress } = props;
  const id = `publish-${kind}`;
  const percent = progress.total ? Math.floor((progress.done / progress.total) * 100) : 0;
  return (
    <div class="field package">
      <label for={id}>{t(kind === 'desktop' ? 'publish.desktop' : 'publish.mobile')}</label>
      <input
        id={id}
        type="file"
        accept={kind === 'mobile' ? '.apk,application/vnd.android.package-archive' : undefined}
        disabled={props.disabled}
        aria-invalid={props.missing ? 'true' : undefined}
        aria-describedby={props.missing ? `${id}-error` : undefined}
        onChange={props.onChange}
      />
      {props.missing && (
        <p id={`${id}-error`} class="field-error">
          {t('publish.fileMissing')}
        </p>
      )}
      {progress.step !== 'idle' && (
        <div class="progress">
          <progress
            id={`${id}-progress`}
            max={100}
            value={percent}
            aria-label={t(kind === 'desktop' ? 'publish.desktop' : 'publish.mobile')}
          />
          <span>{t(STEP_TEXT[progress.step], { percent })}</span>
        </div>
      )}
    </div>
  );
}
